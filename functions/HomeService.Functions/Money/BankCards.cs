using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using HomeService.Domain.Money;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Money;

public sealed class MoneyOptions
{
    public const string Section = "Money";

    /// <summary>Base64 key (≥ 32 bytes) for the keyed hash of card numbers; required outside Development.</summary>
    public string? CardHashKey { get; set; }

    /// <summary>
    /// WeChatPay (transfers to WeChat balances through the Payments:WeChatPay merchant) | Sandbox (Development only) |
    /// None. With None the payout timer logs and skips, and withdrawals wait.
    /// </summary>
    public string PayoutProvider { get; set; } = "None";

    public WeChatTransferOptions WeChatTransfer { get; set; } = new();
}

/// <summary>A stored bank card: never the number, only a masked form and a keyed hash (for duplicates).</summary>
public sealed record BankCard(string Id, string HolderName, string BankName, string MaskedNumber, string Last4, string NumberHash, DateTimeOffset AddedAt);

/// <summary>All of an owner's cards in one document (partition = owner, id <c>bank-cards</c>): "at most 5", "no duplicates" and "one default" are single-document writes.</summary>
internal sealed record BankCardsDocument
{
    public const string DocumentId = "bank-cards";

    public string Id { get; init; } = DocumentId;
    public required string OwnerKey { get; init; }
    public string Type { get; init; } = "bank-cards";
    public IReadOnlyList<BankCard> Cards { get; init; } = [];
    public string? DefaultCardId { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

public sealed record AddBankCardRequest(string? HolderName, string? BankName, string? CardNumber, bool IsDefault = false);

public sealed record BankCardView(string Id, string HolderName, string BankName, string MaskedNumber, bool IsDefault, DateTimeOffset AddedAt);

/// <summary>Card-number hashing with the configured key; the number itself is never stored or logged.</summary>
public sealed class CardNumberProtector
{
    private readonly byte[] _key;

    public CardNumberProtector(IOptions<MoneyOptions> options, IHostEnvironment environment, ILogger<CardNumberProtector> logger)
    {
        var configured = options.Value.CardHashKey;
        if (string.IsNullOrWhiteSpace(configured))
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException("Money:CardHashKey is required outside Development (a Key Vault reference in Azure).");
            }

            logger.LogWarning("Money:CardHashKey is not set; using a random per-process key (Development only)");
            _key = RandomNumberGenerator.GetBytes(32);
        }
        else
        {
            _key = Convert.FromBase64String(configured);
            if (_key.Length < 32)
            {
                throw new InvalidOperationException("Money:CardHashKey must be at least 32 bytes (base64).");
            }
        }
    }

    public string Hash(string digits) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(digits)));

    public static string Mask(string digits) => $"{digits[..4]} **** **** {digits[^4..]}";

    /// <summary>Digits only (spaces and hyphens allowed between them), 12–19 long, Luhn-valid.</summary>
    public static bool TryNormalize(string? input, out string digits)
    {
        digits = "";
        if (string.IsNullOrWhiteSpace(input))
        {
            return false;
        }

        var builder = new StringBuilder();
        foreach (var c in input)
        {
            if (char.IsAsciiDigit(c))
            {
                builder.Append(c);
            }
            else if (c is not (' ' or '-'))
            {
                return false;
            }
        }

        digits = builder.ToString();
        return digits.Length is >= 12 and <= 19 && Luhn(digits);
    }

    private static bool Luhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return sum % 10 == 0;
    }
}

public sealed class BankCards(CosmosDb db, CardNumberProtector protector, TimeProvider time, ILogger<BankCards> logger)
{
    public const int MaxCards = 5;

    public async Task<IReadOnlyList<BankCardView>> ListAsync(WalletOwner owner, CancellationToken ct)
    {
        var book = await ReadAsync(owner, ct);
        return book is null ? [] : book.Cards.Select(c => View(c, book.DefaultCardId)).ToArray();
    }

    public async Task<BankCard?> FindAsync(WalletOwner owner, string? cardId, CancellationToken ct)
    {
        var book = await ReadAsync(owner, ct);
        var id = cardId ?? book?.DefaultCardId;
        return book?.Cards.FirstOrDefault(c => c.Id == id);
    }

    public async Task<BankCardView> AddAsync(WalletOwner owner, AddBankCardRequest request, CancellationToken ct)
    {
        var v = new Validator().Required("holderName", request.HolderName, 32).Required("bankName", request.BankName, 32);
        var valid = CardNumberProtector.TryNormalize(request.CardNumber, out var digits);
        v.Check(valid, "cardNumber", "invalid_card_number").ThrowIfInvalid();

        var card = new BankCard($"card_{Guid.NewGuid():N}", request.HolderName!.Trim(), request.BankName!.Trim(), CardNumberProtector.Mask(digits),
            digits[^4..], protector.Hash(digits), time.GetUtcNow());
        var book = await UpdateAsync(owner, current =>
        {
            if (current.Cards.Any(c => c.NumberHash == card.NumberHash))
            {
                throw new ConflictException("already_exists", "res.bank_card");
            }

            if (current.Cards.Count >= MaxCards)
            {
                throw ValidationFailedException.For("cardNumber", "too_many", MaxCards);
            }

            return current with
            {
                Cards = [.. current.Cards, card],
                DefaultCardId = request.IsDefault || current.DefaultCardId is null ? card.Id : current.DefaultCardId,
            };
        }, ct);
        logger.LogInformation("Bank card {CardId} ({Masked}) added for {Owner}", card.Id, card.MaskedNumber, owner.Key);
        return View(card, book.DefaultCardId);
    }

    public async Task RemoveAsync(WalletOwner owner, string cardId, CancellationToken ct) =>
        await UpdateAsync(owner, current =>
        {
            var remaining = current.Cards.Where(c => c.Id != cardId).ToArray();
            if (remaining.Length == current.Cards.Count)
            {
                throw new NotFoundException("res.bank_card", cardId);
            }

            // The default passes to the most recently added remaining card.
            var defaultId = current.DefaultCardId == cardId ? remaining.LastOrDefault()?.Id : current.DefaultCardId;
            return current with { Cards = remaining, DefaultCardId = defaultId };
        }, ct);

    public async Task<BankCardView> SetDefaultAsync(WalletOwner owner, string cardId, CancellationToken ct)
    {
        var book = await UpdateAsync(owner, current => current.Cards.Any(c => c.Id == cardId)
            ? current with { DefaultCardId = cardId }
            : throw new NotFoundException("res.bank_card", cardId), ct);
        return View(book.Cards.Single(c => c.Id == cardId), book.DefaultCardId);
    }

    private async Task<BankCardsDocument?> ReadAsync(WalletOwner owner, CancellationToken ct) =>
        (await db.Wallets.ReadOrNullAsync<BankCardsDocument>(BankCardsDocument.DocumentId, owner.Key, ct))?.Resource;

    private async Task<BankCardsDocument> UpdateAsync(WalletOwner owner, Func<BankCardsDocument, BankCardsDocument> change, CancellationToken ct)
    {
        while (true)
        {
            var current = await ReadAsync(owner, ct);
            var next = change(current ?? new BankCardsDocument { OwnerKey = owner.Key }) with { ETag = null };
            try
            {
                return current is null
                    ? (await db.Wallets.CreateItemAsync(next, new PartitionKey(owner.Key), cancellationToken: ct)).Resource
                    : (await db.Wallets.ReplaceItemAsync(next, next.Id, new PartitionKey(owner.Key), new ItemRequestOptions { IfMatchEtag = current.ETag }, ct)).Resource;
            }
            catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
            {
                // A concurrent change of the same owner's cards: decide again on what is stored now.
            }
        }
    }

    private static BankCardView View(BankCard card, string? defaultId) =>
        new(card.Id, card.HolderName, card.BankName, card.MaskedNumber, card.Id == defaultId, card.AddedAt);
}
