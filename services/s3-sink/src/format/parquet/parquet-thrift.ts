// The parts of parquet.thrift (apache/parquet-format, src/main/thrift/
// parquet.thrift) that the encoder writes: for each struct or union, the
// field ids of the members it uses, named exactly as the spec names them, and
// the enum values it uses. Compare line by line with parquet.thrift; ids never
// change there (the format only adds fields), so neither do these.
//
// const enums: TypeScript replaces each use by its number, so naming them
// costs nothing per file.

// ---- Enums --------------------------------------------------------------

/** enum Type: physical types. */
export const enum Type {
  INT32 = 1,
  INT64 = 2,
  DOUBLE = 5,
  BYTE_ARRAY = 6,
}

/** enum ConvertedType: the legacy annotations, still read by older readers. */
export const enum ConvertedType {
  UTF8 = 0,
  DATE = 6,
  TIMESTAMP_MILLIS = 9,
  INT_32 = 17,
  INT_64 = 18,
}

/** enum FieldRepetitionType. */
export const enum FieldRepetitionType {
  OPTIONAL = 1,
}

/** enum Encoding. */
export const enum Encoding {
  PLAIN = 0,
  /** Format v1's dictionary encoding, in the dictionary page and the data pages. */
  PLAIN_DICTIONARY = 2,
  RLE = 3,
}

/** enum CompressionCodec. */
export const enum CompressionCodec {
  UNCOMPRESSED = 0,
  SNAPPY = 1,
}

/** enum PageType. */
export const enum PageType {
  DATA_PAGE = 0,
  DICTIONARY_PAGE = 2,
}

// ---- Page headers -------------------------------------------------------

/** struct PageHeader. */
export const enum PageHeader {
  type = 1,
  uncompressed_page_size = 2,
  compressed_page_size = 3,
  data_page_header = 5,
  dictionary_page_header = 7,
}

/** struct DataPageHeader (format v1 data page). */
export const enum DataPageHeader {
  num_values = 1,
  encoding = 2,
  definition_level_encoding = 3,
  repetition_level_encoding = 4,
}

/** struct DictionaryPageHeader. */
export const enum DictionaryPageHeader {
  num_values = 1,
  encoding = 2,
}

// ---- Footer: schema -----------------------------------------------------

/** struct SchemaElement. */
export const enum SchemaElement {
  type = 1,
  repetition_type = 3,
  name = 4,
  num_children = 5,
  converted_type = 6,
  logicalType = 10,
}

/** union LogicalType: the member id names the type; each member is a struct. */
export const enum LogicalType {
  /** StringType {} */
  STRING = 1,
  /** DateType {} */
  DATE = 6,
  /** TimestampType */
  TIMESTAMP = 8,
  /** IntType */
  INTEGER = 10,
}

/** struct TimestampType. */
export const enum TimestampType {
  isAdjustedToUTC = 1,
  unit = 2,
}

/** union TimeUnit: each member an empty struct. */
export const enum TimeUnit {
  /** MilliSeconds {} */
  MILLIS = 1,
}

/** struct IntType. */
export const enum IntType {
  /** i8 */
  bitWidth = 1,
  isSigned = 2,
}

// ---- Footer: row groups and column chunks -------------------------------

/** struct FileMetaData: the footer. */
export const enum FileMetaData {
  version = 1,
  schema = 2,
  num_rows = 3,
  row_groups = 4,
  created_by = 6,
  column_orders = 7,
}

/** struct RowGroup. */
export const enum RowGroup {
  columns = 1,
  total_byte_size = 2,
  num_rows = 3,
  file_offset = 5,
  total_compressed_size = 6,
}

/** struct ColumnChunk. */
export const enum ColumnChunk {
  file_offset = 2,
  meta_data = 3,
}

/** struct ColumnMetaData. */
export const enum ColumnMetaData {
  type = 1,
  encodings = 2,
  path_in_schema = 3,
  codec = 4,
  num_values = 5,
  total_uncompressed_size = 6,
  total_compressed_size = 7,
  data_page_offset = 9,
  dictionary_page_offset = 11,
  statistics = 12,
}

/** struct Statistics (only the current fields: max/min, ids 1 and 2, are the deprecated signed-order ones). */
export const enum Statistics {
  null_count = 3,
  max_value = 5,
  min_value = 6,
}

/** union ColumnOrder. */
export const enum ColumnOrder {
  /** TypeDefinedOrder {}: min/max by the column's type (signed numbers, unsigned bytes for strings). */
  TYPE_ORDER = 1,
}
