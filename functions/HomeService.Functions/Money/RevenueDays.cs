using System.Net;
using System.Text;
using System.Text.Json.Serialization;
using HomeService.Domain.Money;
using HomeService.Functions.Infrastructure.Cosmos;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Money;

/// <summary>
/// Platform commission of one business day (China time), pre-aggregated in `system` when settlements
/// post, split into a few shards to spread concurrent writes. <see cref="Entries"/> maps each applied
/// transaction to its commission, which makes applying a transaction twice a no-op.
/// </summary>
public sealed record RevenueDayDocument
{
    public required string Id { get; init; }
    public string Type { get; init; } = "revenue-day";
    public required string Day { get; init; }
    public long CommissionFen { get; init; }
    public int Settlements { get; init; }
    public Dictionary<string, long> Entries { get; init; } = new(StringComparer.Ordinal);

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

public sealed record RevenueDayView(string Day, long CommissionFen, int Settlements);

public sealed class RevenueDays(CosmosDb db)
{
    public const int Shards = 4;
    public const int MaxDays = 366;

    public async Task ApplyAsync(LedgerTransaction transaction, CancellationToken ct)
    {
        var amount = transaction.AmountFor(LedgerAccount.PlatformRevenue);
        var day = MoneyKeys.BusinessDay(transaction.At);
        var shard = Encoding.UTF8.GetBytes(transaction.Id).Aggregate(0u, (h, b) => (h * 31) + b) % Shards;
        var id = $"revenue:{day}:{shard}";
        while (true)
        {
            var current = (await db.System.ReadOrNullAsync<RevenueDayDocument>(id, id, ct))?.Resource;
            if (current?.Entries.ContainsKey(transaction.Id) == true)
            {
                return;
            }

            var document = current ?? new RevenueDayDocument { Id = id, Day = day };
            var entries = new Dictionary<string, long>(document.Entries, StringComparer.Ordinal) { [transaction.Id] = amount };
            var next = document with
            {
                Entries = entries,
                CommissionFen = document.CommissionFen + amount,
                Settlements = document.Settlements + (transaction.Kind == LedgerTransactionKinds.Settlement ? 1 : 0),
                ETag = null,
            };
            try
            {
                if (current is null)
                {
                    await db.System.CreateItemAsync(next, new PartitionKey(id), cancellationToken: ct);
                }
                else
                {
                    await db.System.ReplaceItemAsync(next, id, new PartitionKey(id), new ItemRequestOptions { IfMatchEtag = current.ETag }, ct);
                }

                return;
            }
            catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
            {
                // A concurrent settlement updated the same shard: read again.
            }
        }
    }

    /// <summary>Commission per business day in [from, to], from the daily documents only.</summary>
    public async Task<IReadOnlyList<RevenueDayView>> RangeAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        var query = new QueryDefinition(
                "SELECT c.day, c.commissionFen, c.settlements FROM c WHERE c.type = 'revenue-day' AND c.day >= @from AND c.day <= @to")
            .WithParameter("@from", from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
            .WithParameter("@to", to.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var shards = await db.System.QueryAllAsync<RevenueDayView>(query, null, ct);
        return shards.GroupBy(s => s.Day, StringComparer.Ordinal)
            .Select(g => new RevenueDayView(g.Key, g.Sum(s => s.CommissionFen), g.Sum(s => s.Settlements)))
            .OrderBy(d => d.Day, StringComparer.Ordinal)
            .ToArray();
    }
}
