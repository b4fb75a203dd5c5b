namespace HomeService.Functions.Messaging;

/// <summary>
/// A message stored in the same document write as the state change that caused it (ARCHITECTURE D3) and
/// relayed afterwards, at least once. Its id makes every consumer's work idempotent.
/// </summary>
public sealed record OutboxMessage(string Id, string Queue, string Body, DateTimeOffset CreatedAt, DateTimeOffset? VisibleAt = null);
