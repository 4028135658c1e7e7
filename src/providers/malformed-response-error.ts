// Raised by the response mappers when a provider's 200 body lacks what every answer has;
// providers turn it into a ProviderError so it counts as a failed attempt, not a crash.

export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}
