using HomeService.Domain.Scheduling;

namespace HomeService.Domain.Booking;

/// <summary>Per-city travel fee (上门费): free within a distance, then per started kilometre, capped.</summary>
public sealed record TravelFeeRules(double FreeWithinKm, long PerKmFen, long CapFen);

public sealed record PriceRequest(long ItemUnitPriceFen, long? WorkerPriceFen, int Quantity, double DistanceMeters, long MaterialsFen);

public sealed record PriceLine(string Code, long AmountFen);

public sealed record PriceBreakdown(IReadOnlyList<PriceLine> Lines, long TotalFen);

public sealed record PriceQuote(PriceBreakdown? Breakdown, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

public static class PriceCalculator
{
    public const string ServiceLine = "service";
    public const string TravelLine = "travel";
    public const string MaterialsLine = "materials";

    /// <summary>Bounds keep every product and sum far inside <see cref="long"/> (99 × 10^8 fen), so no overflow checks leak out.</summary>
    public const long MaxAmountFen = 100_000_000; // ¥1,000,000
    public const int MaxQuantity = 99;

    public static PriceQuote Quote(PriceRequest request, TravelFeeRules travel)
    {
        var errors = new List<ValidationError>();
        if (request.ItemUnitPriceFen is < 0 or > MaxAmountFen) errors.Add(new("itemUnitPriceFen", "out_of_range"));
        if (request.WorkerPriceFen is < 0 or > MaxAmountFen) errors.Add(new("workerPriceFen", "out_of_range"));
        if (request.Quantity is < 1 or > MaxQuantity) errors.Add(new("quantity", "out_of_range"));
        if (!(request.DistanceMeters is >= 0 and <= 1_000_000)) errors.Add(new("distanceMeters", "out_of_range"));
        if (request.MaterialsFen is < 0 or > MaxAmountFen) errors.Add(new("materialsFen", "out_of_range"));
        if (!(travel.FreeWithinKm >= 0) || travel.PerKmFen is < 0 or > MaxAmountFen || travel.CapFen is < 0 or > MaxAmountFen)
            errors.Add(new("travelFeeRules", "out_of_range"));
        if (errors.Count > 0) return new PriceQuote(null, errors);

        // The worker's own price replaces the catalogue price for that item.
        var unit = request.WorkerPriceFen ?? request.ItemUnitPriceFen;
        var service = checked(unit * request.Quantity);
        var fee = TravelFee(request.DistanceMeters, travel);
        var lines = new List<PriceLine> { new(ServiceLine, service) };
        if (fee > 0) lines.Add(new(TravelLine, fee));
        if (request.MaterialsFen > 0) lines.Add(new(MaterialsLine, request.MaterialsFen));
        return new PriceQuote(new PriceBreakdown(lines, checked(service + fee + request.MaterialsFen)), []);
    }

    /// <summary>Every started kilometre beyond the free distance is charged (rounded up), then capped.</summary>
    public static long TravelFee(double distanceMeters, TravelFeeRules rules)
    {
        var chargeableMeters = distanceMeters - rules.FreeWithinKm * 1000d;
        if (chargeableMeters <= 0) return 0;
        var kilometres = (long)Math.Ceiling(Math.Round(chargeableMeters, 3) / 1000d); // mm precision stops 1e-12 noise adding a km
        return Math.Min(rules.CapFen, checked(kilometres * rules.PerKmFen));
    }
}
