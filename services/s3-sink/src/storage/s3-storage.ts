import { createHash } from 'node:crypto';
import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client, paginateListObjectsV2,
  type BucketLocationConstraint, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { S3StorageError } from './s3-storage-error.js';
import { SignedPut } from './signed-put.js';
import type { Storage, StoredObject } from './storage.js';

// The project targets Node 20; the SDK versions we pin support it. Its notice about
// future releases needing Node 22 would otherwise land in every service's stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** S3's smallest allowed multipart part (except the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/**
 * How a PutObject below the multipart threshold is sent:
 * - 'signed': SignedPut (signed-put.ts), one SigV4-signed HTTP PUT over a
 *   keep-alive agent, without the SDK's middleware; needs `endpoint`.
 * - 'sdk': the S3 client's PutObjectCommand.
 */
export type SmallPutPath = 'signed' | 'sdk';

/**
 * The path small PUTs take: `config.smallPutPath` when set, else 'signed' for
 * an S3-compatible endpoint and 'sdk' for AWS (no endpoint).
 *
 * Why the endpoint decides by default, and is no environment setting: on an
 * S3-compatible server (S3Proxy, MinIO) the signed path is the same request at
 * a third of the CPU (docs/own-code.md), with nothing the SDK adds that such a
 * server needs. AWS itself is where the SDK's endpoint rules earn their
 * cost (the region's endpoint, virtual-hosted or path-style addressing by the
 * bucket name's rules, FIPS/dual-stack/accelerate variants, directory
 * buckets' session auth), which SignedPut does not redo; it cannot take AWS
 * without an endpoint anyway. So an operator's
 * choice would add a way to misconfigure and no case that needs it. Tests
 * set 'sdk' with an endpoint to run the AWS path against the local server.
 */
export function smallPutPath(config: Pick<S3StorageConfig, 'endpoint' | 'smallPutPath'>): SmallPutPath {
  if (config.smallPutPath === 'signed' && !config.endpoint) throw new Error("S3 small PUT path 'signed' needs an S3-compatible endpoint; AWS S3 (no endpoint) goes through the SDK");
  return config.smallPutPath ?? (config.endpoint ? 'signed' : 'sdk');
}

export interface S3StorageConfig {
  bucket: string;
  /** e.g. http://127.0.0.1:9000 for S3Proxy/MinIO; unset = AWS for the region. */
  endpoint?: string | undefined;
  region: string;
  /** Path-style URLs (http://host/bucket/key), needed by most S3-compatible servers. */
  forcePathStyle: boolean;
  /** Static credentials when both are set; otherwise the AWS default chain (env, profile, SSO, IMDS...). */
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  /** Bodies larger than this go up as multipart uploads. */
  multipartThresholdBytes: number;
  /** Part size of multipart uploads (at least 5 MiB). */
  partSizeBytes: number;
  /** Parts uploaded in parallel (memory: up to queue × part size). */
  multipartQueueSize?: number;
  /** Keys per ListObjectsV2 page (S3's maximum and default: 1000). */
  listPageSize?: number;
  /** Attempts per request, first one included (SDK standard retry: exponential backoff with jitter). */
  maxAttempts: number;
  /** How PutObjects below the multipart threshold are sent; unset = by the endpoint (see smallPutPath()). */
  smallPutPath?: SmallPutPath | undefined;
  /** TCP connect timeout per attempt. */
  connectTimeoutMs: number;
  /** Longest one attempt may take, request and response included (also the socket idle limit). */
  requestTimeoutMs: number;
}

/**
 * Storage on S3 or any S3-compatible server. Retries are the SDK's standard
 * mode (transient = network errors, timeouts, throttling, 5xx), with the
 * attempts and per-attempt timeouts set explicitly so a call gives up in a
 * bounded time with an S3StorageError naming endpoint and bucket. Callers
 * decide what a final failure means; the sink must stop committing offsets.
 */
export class S3Storage implements Storage {
  readonly client: S3Client;
  readonly bucket: string;
  /** For messages: the endpoint, or AWS and the region. */
  readonly endpointLabel: string;
  /** The path PutObjects below the multipart threshold take (see smallPutPath()). */
  readonly smallPutPath: SmallPutPath;
  /** The signed path's sender, when that is the path. */
  private readonly signedPut: SignedPut | null;

  constructor(private readonly config: S3StorageConfig) {
    if (Boolean(config.accessKeyId) !== Boolean(config.secretAccessKey)) {
      throw new Error('S3 credentials: set both the access key id and the secret access key, or neither (AWS default chain)');
    }
    if (config.partSizeBytes < MIN_PART_BYTES) throw new RangeError(`S3 multipart part size must be at least ${MIN_PART_BYTES} bytes`);
    this.smallPutPath = smallPutPath(config);
    this.bucket = config.bucket;
    this.endpointLabel = config.endpoint ?? `AWS S3 (${config.region})`;
    const clientConfig: S3ClientConfig = {
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      maxAttempts: config.maxAttempts,
      retryMode: 'standard',
      // PutObject already carries Content-MD5; the SDK's default extra CRC32 of every body is work for nothing.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      // throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout passes
      // and keeps waiting, so a server that accepts connections but never answers hangs the sink.
      requestHandler: {
        connectionTimeout: config.connectTimeoutMs,
        requestTimeout: config.requestTimeoutMs,
        throwOnRequestTimeout: true,
        socketTimeout: config.requestTimeoutMs,
      },
    };
    if (config.endpoint) clientConfig.endpoint = config.endpoint;
    if (config.accessKeyId && config.secretAccessKey) {
      clientConfig.credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey };
    }
    this.client = new S3Client(clientConfig);
    this.signedPut = this.smallPutPath === 'signed' && config.endpoint
      ? new SignedPut({
          endpoint: config.endpoint, bucket: config.bucket, region: config.region, forcePathStyle: config.forcePathStyle,
          // The client's resolved provider: static keys, or the default chain, cached and refreshed by the SDK.
          credentials: () => this.client.config.credentials(),
          maxAttempts: config.maxAttempts, connectTimeoutMs: config.connectTimeoutMs, requestTimeoutMs: config.requestTimeoutMs,
        })
      : null;
  }

  private async call<T>(operation: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw S3StorageError.from(operation, this.bucket, key, this.endpointLabel, err);
    }
  }

  /** Creates the bucket when it does not exist (idempotent; safe with several instances). */
  async ensureBucket(): Promise<void> {
    const exists = await this.call('HeadBucket', undefined, async () => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    });
    if (exists) return;
    await this.call('CreateBucket', undefined, async () => {
      try {
        // us-east-1 is the one region that must not be named as location constraint.
        const location = this.config.region === 'us-east-1' ? undefined : { LocationConstraint: this.config.region as BucketLocationConstraint };
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket, CreateBucketConfiguration: location }));
      } catch (err) {
        // Another instance won the race: the bucket is there, which is all we want.
        if ((err as { name?: string }).name === 'BucketAlreadyOwnedByYou') return;
        throw err;
      }
    });
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    if (body.length > this.config.multipartThresholdBytes) {
      await this.call('multipart upload', key, async () => {
        // leavePartsOnError=false aborts the upload on failure, so no orphaned parts accrue storage.
        const upload = new Upload({
          client: this.client,
          params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
          partSize: this.config.partSizeBytes,
          queueSize: this.config.multipartQueueSize ?? 4,
          leavePartsOnError: false,
        });
        await upload.done();
      });
      return;
    }
    if (this.signedPut) {
      const signed = this.signedPut;
      await this.call('PutObject', key, () => signed.put(key, body, contentType));
      return;
    }
    // Content-MD5 makes the server reject a body corrupted on the way, on any S3-compatible server.
    const md5 = createHash('md5').update(body).digest('base64');
    await this.call('PutObject', key, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.length, ContentMD5: md5 })),
    );
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const pages = paginateListObjectsV2({ client: this.client, pageSize: this.config.listPageSize ?? 1000 }, { Bucket: this.bucket, Prefix: prefix });
    const iterator = pages[Symbol.asyncIterator]();
    for (;;) {
      const page = await this.call('ListObjectsV2', `${prefix}*`, () => iterator.next());
      if (page.done) return;
      for (const o of page.value.Contents ?? []) {
        if (o.Key !== undefined) yield { key: o.Key, size: o.Size ?? 0 };
      }
    }
  }

  async get(key: string): Promise<Buffer> {
    return this.call('GetObject', key, async () => {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!res.Body) throw new Error('empty response body');
      return Buffer.from(await res.Body.transformToByteArray());
    });
  }

  async getIfExists(key: string): Promise<Buffer | null> {
    return this.call('GetObject', key, async () => {
      try {
        const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        if (!res.Body) throw new Error('empty response body');
        return Buffer.from(await res.Body.transformToByteArray());
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    });
  }

  async exists(key: string): Promise<boolean> {
    return this.call('HeadObject', key, async () => {
      try {
        await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    });
  }

  async delete(key: string): Promise<void> {
    await this.call('DeleteObject', key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  close(): void {
    this.signedPut?.close();
    this.client.destroy();
  }
}

/** A 404 (NoSuchKey for a GET, a bare NotFound for a HEAD, which has no body to name the error). */
function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.$metadata?.httpStatusCode === 404 || e.name === 'NoSuchKey' || e.name === 'NotFound';
}
