import { httpSettings, kafkaSettings, logSettings, registrySettings, topicSettings } from '@stockstream/common';

/** Every environment variable the ingest service reads. */
export const ingestSettings = {
  ...logSettings,
  ...httpSettings(9101),
  ...kafkaSettings,
  ...registrySettings,
  ...topicSettings,
};
