import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModels, CATALOGUE_PRICES_TAKEN_ON } from '../../src/catalogue/catalogue.js';

describe('built-in catalogue', () => {
  const models = builtinModels();

  it('says when its prices were taken', () => {
    assert.match(CATALOGUE_PRICES_TAKEN_ON, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(!Number.isNaN(Date.parse(CATALOGUE_PRICES_TAKEN_ON)));
  });

  it('covers the Claude 4.x and OpenAI families (including claude-*-4-6 and gpt-5.1, checked 2026-11-23) with well-formed entries', () => {
    const ids = new Set(models.map((m) => m.id));
    for (const id of [
      'claude-opus-4-6',
      'claude-sonnet-4-6',
      'gpt-5.1',
      'claude-opus-4-5',
      'claude-sonnet-4-5',
      'claude-haiku-4-5',
      'gpt-5',
      'gpt-5-mini',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4o',
      'gpt-4o-mini',
      'o3',
      'o4-mini',
    ]) {
      assert.ok(ids.has(id), id);
    }
    for (const m of models) {
      assert.ok(m.vendor === 'anthropic' || m.vendor === 'openai', m.id);
      assert.ok(m.cost.input > 0 && m.cost.output >= m.cost.input, `${m.id} prices`);
      assert.ok(m.speed >= 0 && m.speed <= 1 && m.intelligence >= 0 && m.intelligence <= 1, `${m.id} 0..1`);
      assert.ok(m.contextWindow > m.maxOutput && m.maxOutput > 0, `${m.id} sizes`);
      assert.ok(m.supports.includes('text'), m.id);
    }
  });

  it('gives every id and alias to exactly one model', () => {
    const seen = new Map<string, string>();
    for (const m of models) {
      for (const name of [m.id, ...m.aliases]) {
        assert.ok(!seen.has(name), `${name} is used by ${seen.get(name)} and ${m.id}`);
        seen.set(name, m.id);
      }
    }
    assert.equal(seen.get('sonnet'), 'claude-sonnet-4-6');
    assert.equal(seen.get('opus'), 'claude-opus-4-6');
    assert.equal(seen.get('claude-haiku'), 'claude-haiku-4-5');
  });

  it('hands out copies, so callers cannot change the catalogue', () => {
    const first = builtinModels();
    first[0]!.aliases.push('changed');
    first[0]!.cost.output = 0;
    const again = builtinModels();
    assert.ok(!again[0]!.aliases.includes('changed'));
    assert.notEqual(again[0]!.cost.output, 0);
  });
});
