/** Where a raw record sits in Kafka: with the partition, the offset identifies it exactly once. */
export interface RawCoordinates {
  topic: string;
  partition: number;
  offset: number;
}
