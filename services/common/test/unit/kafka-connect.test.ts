// A client's first contact with the broker: refused credentials and failed TLS handshakes end it at once with a
// sentence naming the settings (never the password); anything else waits for the connect's own outcome. The events
// are the ones the native client emitted against a SASL_SSL broker (deploy/test/secure-stack.test.ts runs the real one).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import {
  BrokerRefusedError, BrokerUnreachableError, connectClient, failureDetail, kafkaSettings, loadConfig, refusalMessage, refusalOf,
} from '@stockstream/common';

const PASSWORD = 'sasl-Pw-9x1-never-shown';
const cfg = loadConfig(kafkaSettings, {
  KAFKA_BROKERS: '127.0.0.1:19092', KAFKA_SECURITY_PROTOCOL: 'sasl_ssl', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
  KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: PASSWORD, KAFKA_SSL_CA_LOCATION: '/etc/stack/ca.pem', KAFKA_CONNECT_TIMEOUT_MS: '15000',
});
// As librdkafka 2.x logs them (fac FAIL, severity 3) just before the error event.
const AUTH_LOG = {
  severity: 3, fac: 'FAIL',
  message: '[thrd:sasl_ssl://127.0.0.1:19092/bootstrap]: sasl_ssl://127.0.0.1:19092/bootstrap: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (after 312ms in state AUTH_REQ)',
};
const TLS_LOG = {
  severity: 3, fac: 'FAIL',
  message: '[thrd:sasl_ssl://127.0.0.1:19092/bootstrap]: sasl_ssl://127.0.0.1:19092/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified, verify that ssl.ca.location is correctly configured or root CA certificates are installed (install ca-certificates package) (after 16ms in state SSL_HANDSHAKE)',
};

describe('refusalOf', () => {
  it('tells refused credentials and failed TLS from errors worth waiting through', () => {
    assert.equal(refusalOf({ code: -1, message: 'authentication failure' }), 'authentication');
    assert.equal(refusalOf({ code: -169, message: 'Local: Authentication failure' }), 'authentication');
    assert.equal(refusalOf({ code: -1, message: 'ssl error' }), 'tls');
    assert.equal(refusalOf({ code: -181, message: 'Local: SSL error' }), 'tls');
    for (const message of ['all broker connections are down', 'broker transport failure', 'timed out']) {
      assert.equal(refusalOf({ code: -1, message }), undefined, message);
    }
  });
});

describe('failureDetail', () => {
  it("keeps librdkafka's reason without the thread and broker prefixes; other lines give nothing", () => {
    assert.equal(failureDetail(AUTH_LOG), 'SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (after 312ms in state AUTH_REQ)');
    assert.match(failureDetail(TLS_LOG)!, /^SSL handshake failed: .*certificate verify failed/);
    assert.equal(failureDetail({ severity: 6, fac: 'CONNECT', message: 'connecting' }), undefined);
  });
});

describe('refusalMessage', () => {
  it('names the user, the mechanism and the settings to check, never the password', () => {
    const m = refusalMessage(cfg, 'authentication', failureDetail(AUTH_LOG));
    assert.equal(m, 'Kafka at 127.0.0.1:19092 refused the SASL credentials of user "svc" (SCRAM-SHA-512) (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SASL_MECHANISM): ' +
      'SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (after 312ms in state AUTH_REQ)');
    assert.ok(!m.includes(PASSWORD));
  });
  it('names the protocol and the CA file for a failed handshake', () => {
    assert.match(refusalMessage(cfg, 'tls', undefined), /^TLS handshake with Kafka at 127\.0\.0\.1:19092 failed \(KAFKA_SECURITY_PROTOCOL=sasl_ssl, KAFKA_SSL_CA_LOCATION=\/etc\/stack\/ca\.pem\)$/);
    const systemCas = loadConfig(kafkaSettings, { KAFKA_BROKERS: '127.0.0.1:19092', KAFKA_SECURITY_PROTOCOL: 'ssl' });
    assert.match(refusalMessage(systemCas, 'tls', 'x'), /\(KAFKA_SECURITY_PROTOCOL=ssl, KAFKA_SSL_CA_LOCATION=unset: the system CAs\): x$/);
  });
});

describe('connectClient', () => {
  /** A client whose connect never calls back by itself: the test decides what happens. */
  function pending() {
    const client = new EventEmitter();
    let done: (err?: unknown) => void = () => undefined;
    const connecting = connectClient(client, cfg, (d) => (done = d));
    return { client, connecting, done: (err?: unknown) => done(err) };
  }

  it('rejects at the first refusal, with the reason logged just before it, and stops listening', async () => {
    const { client, connecting } = pending();
    client.emit('event.log', AUTH_LOG);
    client.emit('event.error', { code: -1, message: 'authentication failure' });
    const err = await connecting.then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.ok(err instanceof BrokerRefusedError, String(err));
    assert.match(err.message, /refused the SASL credentials of user "svc" .*invalid credentials/);
    assert.equal(client.listenerCount('event.error') + client.listenerCount('event.log'), 0);
  });

  it('waits through other errors for the connect, which then resolves, or fails as unreachable naming the settings', async () => {
    const ok = pending();
    ok.client.emit('event.error', { code: -1, message: 'all broker connections are down' });
    ok.done();
    await ok.connecting;
    assert.equal(ok.client.listenerCount('event.error'), 0);

    const away = pending();
    away.client.emit('event.error', { code: -1, message: 'broker transport failure' });
    away.done(new Error('Local: Broker transport failure'));
    const err = await away.connecting.then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.ok(err instanceof BrokerUnreachableError, String(err));
    assert.match(err.message, /^Kafka broker unreachable at 127\.0\.0\.1:19092 within 15000 ms \(KAFKA_BROKERS, KAFKA_CONNECT_TIMEOUT_MS\): Local: Broker transport failure$/);
  });

  it('a refusal after the connect succeeded changes nothing (the client reports it as it runs)', async () => {
    const { client, connecting, done } = pending();
    done();
    await connecting;
    client.emit('event.error', { code: -1, message: 'ssl error' }); // no listener of ours left: nothing throws
  });
});
