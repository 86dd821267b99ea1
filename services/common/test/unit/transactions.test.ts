import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyTxnError, renewalAllowed } from '../../src/kafka/transactions.js';

describe('classifyTxnError', () => {
  it('reads the flags of a librdkafka error, fatal first; anything unknown is abortable', () => {
    assert.equal(classifyTxnError({ isFatal: true, isTxnRequiresAbort: true }), 'fatal');
    assert.equal(classifyTxnError({ isTxnRequiresAbort: true, isRetriable: true }), 'abortable');
    assert.equal(classifyTxnError({ isRetriable: true }), 'retriable');
    assert.equal(classifyTxnError(new Error('something else')), 'abortable');
    assert.equal(classifyTxnError(undefined), 'abortable');
  });
});

describe('renewalAllowed', () => {
  const budget = { max: 2, withinMs: 1000 };

  it('allows up to max renewals within the window', () => {
    assert.equal(renewalAllowed([], budget, 0), true);
    assert.equal(renewalAllowed([0], budget, 10), true);
    assert.equal(renewalAllowed([0, 10], budget, 20), false);
  });

  it('forgets renewals older than the window (and prunes them)', () => {
    const earlier = [0, 500];
    assert.equal(renewalAllowed(earlier, budget, 999), false);
    assert.equal(renewalAllowed(earlier, budget, 1000), true);
    assert.deepEqual(earlier, [500]);
    assert.equal(renewalAllowed(earlier, budget, 1500), true);
    assert.deepEqual(earlier, []);
  });

  it('a budget of zero never allows one', () => {
    assert.equal(renewalAllowed([], { max: 0, withinMs: 1000 }, 0), false);
  });
});
