using System.Globalization;
using System.Text.RegularExpressions;

namespace HomeService.Functions.Orders;

/// <summary>
/// Our numbers at the payment provider. WeChat Pay's out_trade_no and out_refund_no are 6–32 characters of
/// [A-Za-z0-9_-|*], but order ids are longer (<c>ord_</c> + 32 hex, series occurrences add <c>-01</c>), so the
/// GUID part is written as base64url: <c>*o</c> + 22 characters (+ the suffix). The mapping is reversible, so a
/// callback names its order without a lookup; ids that already fit (and do not start with '*') pass unchanged.
/// </summary>
public static partial class PaymentReference
{
    private const char Marker = '*';
    private const int GuidChars = 22;
    private const int MaxLength = 32;
    private static readonly Dictionary<string, char> Prefixes = new(StringComparer.Ordinal) { ["ord"] = 'o', ["ser"] = 's' };

    /// <summary>The out_trade_no of an order.</summary>
    public static string ForOrder(string orderId)
    {
        if (Fits(orderId) && orderId[0] != Marker)
        {
            return orderId;
        }

        var match = GeneratedId().Match(orderId);
        if (!match.Success || !Prefixes.TryGetValue(match.Groups["prefix"].Value, out var letter))
        {
            throw new ArgumentException($"Order id '{orderId}' has no payment reference.", nameof(orderId));
        }

        var guid = Convert.FromHexString(match.Groups["hex"].Value);
        var reference = $"{Marker}{letter}{Convert.ToBase64String(guid).TrimEnd('=').Replace('+', '-').Replace('/', '_')}{match.Groups["rest"].Value}";
        return Fits(reference) ? reference : throw new ArgumentException($"Order id '{orderId}' has no payment reference.", nameof(orderId));
    }

    /// <summary>The order an out_trade_no (as a callback reports it) stands for.</summary>
    public static string OrderIdOf(string reference)
    {
        if (string.IsNullOrEmpty(reference) || reference[0] != Marker)
        {
            return reference;
        }

        if (reference.Length < 2 + GuidChars)
        {
            throw new ArgumentException($"'{reference}' is not a payment reference.", nameof(reference));
        }

        var prefix = Prefixes.Single(p => p.Value == reference[1]).Key;
        var base64 = reference.Substring(2, GuidChars).Replace('-', '+').Replace('_', '/') + "==";
        return $"{prefix}_{Convert.ToHexStringLower(Convert.FromBase64String(base64))}{reference[(2 + GuidChars)..]}";
    }

    /// <summary>
    /// The out_refund_no of the refund an order event asked for: the order's reference + "r" + the event's position in
    /// the order history, so a redelivered event asks for the same refund and the provider treats it as one.
    /// </summary>
    public static string ForRefund(string orderId, int eventPosition)
    {
        var reference = $"{ForOrder(orderId)}r{eventPosition.ToString(CultureInfo.InvariantCulture)}";
        return Fits(reference) ? reference : throw new ArgumentException($"No refund reference for event {eventPosition} of '{orderId}'.", nameof(eventPosition));
    }

    private static bool Fits(string value) => value.Length is >= 6 and <= MaxLength && MerchantNumber().IsMatch(value);

    [GeneratedRegex(@"^[A-Za-z0-9_\-|*]+$")]
    private static partial Regex MerchantNumber();

    [GeneratedRegex(@"^(?<prefix>[a-z]{3})_(?<hex>[0-9a-f]{32})(?<rest>[A-Za-z0-9_\-]*)$")]
    private static partial Regex GeneratedId();
}
