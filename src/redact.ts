// One place that scrubs credentials from any text that may leave the process (error
// messages, attempt lists, logs, audit lines). Known secrets are replaced exactly; anything
// shaped like an OpenAI/Anthropic key is replaced too, in case a provider echoes one back.

const KEY_SHAPES = /\b(?:sk-ant-[A-Za-z0-9_-]{6,}|sk-(?:proj-)?[A-Za-z0-9_-]{8,})/g;

export type Redactor = (text: string) => string;

export function createRedactor(secrets: readonly string[]): Redactor {
  // Longest first, so a secret that contains another is replaced whole.
  const known = [...new Set(secrets.filter((s) => typeof s === 'string' && s.length >= 4))].sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let out = String(text);
    for (const secret of known) out = out.split(secret).join('[redacted]');
    return out.replace(KEY_SHAPES, '[redacted]');
  };
}
