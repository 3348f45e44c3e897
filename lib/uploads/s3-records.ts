/**
 * Upload records as objects `records/<id>.json` of the uploads bucket (AWS stage: Lambda instances share no
 * disk). Same contract as the files of records.ts; a PUT replaces an object whole, so a record is never seen
 * half-written.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { isUploadId, MAX_RECORD_BYTES, MAX_RECORDS_SCANNED, parseRecord, type RecordStore } from './records';

const PREFIX = 'records/';

export function s3Records(bucket: string, client = new S3Client({})): RecordStore {
  const key = (id: string): string => `${PREFIX}${id}.json`;
  return {
    async read(id) {
      if (!isUploadId(id)) return undefined;
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(id) }));
        if ((object.ContentLength ?? 0) > MAX_RECORD_BYTES || !object.Body) return undefined;
        return parseRecord(await object.Body.transformToString('utf8'), id);
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
    async write(record) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key(record.id),
          Body: JSON.stringify(record),
          ContentType: 'application/json',
        }),
      );
    },
    async remove(id) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key(id) }));
    },
    async ids() {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: PREFIX, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          const id = (object.Key ?? '').slice(PREFIX.length, -'.json'.length);
          if (isUploadId(id)) ids.push(id);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token && ids.length < MAX_RECORDS_SCANNED);
      return ids.slice(0, MAX_RECORDS_SCANNED);
    },
  };
}
