using HomeService.Domain.Booking;
using HomeService.Domain.Scheduling;

namespace HomeService.Domain.Tests.Booking;

public class PriceCalculatorTests
{
    private static readonly TravelFeeRules Travel = new(FreeWithinKm: 3, PerKmFen: 200, CapFen: 3000);

    [Fact]
    public void Quote_lists_service_travel_and_materials_and_sums_them()
    {
        var quote = PriceCalculator.Quote(new PriceRequest(8800, null, 2, 5_200, 1500), Travel);

        // 2.2 km beyond the free 3 km → 3 started km × 200.
        Assert.Equal([new PriceLine("service", 17600), new PriceLine("travel", 600), new PriceLine("materials", 1500)], quote.Breakdown!.Lines);
        Assert.Equal(19700, quote.Breakdown.TotalFen);
    }

    [Fact]
    public void Worker_own_price_replaces_the_catalogue_price()
    {
        var quote = PriceCalculator.Quote(new PriceRequest(8800, 9900, 1, 0, 0), Travel);

        Assert.Equal([new PriceLine("service", 9900)], quote.Breakdown!.Lines);
    }

    [Theory]
    [InlineData(3_000, 0)]
    [InlineData(3_001, 200)]
    [InlineData(4_000, 200)]
    [InlineData(100_000, 3000)]
    public void Travel_fee_is_free_within_range_per_started_km_beyond_and_capped(double meters, long expected) =>
        Assert.Equal(expected, PriceCalculator.TravelFee(meters, Travel));

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void Quantity_outside_one_to_ninety_nine_is_rejected(int quantity)
    {
        var quote = PriceCalculator.Quote(new PriceRequest(8800, null, quantity, 0, 0), Travel);

        Assert.Null(quote.Breakdown);
        Assert.Equal([new ValidationError("quantity", "out_of_range")], quote.Errors);
    }

    [Fact]
    public void Absurd_amounts_are_validation_errors_not_overflows()
    {
        var quote = PriceCalculator.Quote(new PriceRequest(long.MaxValue, -1, 99, double.NaN, long.MaxValue), Travel);

        Assert.Equal(["itemUnitPriceFen", "workerPriceFen", "distanceMeters", "materialsFen"], quote.Errors.Select(e => e.Field));
    }

    [Fact]
    public void Largest_valid_quote_fits_in_a_long()
    {
        var max = PriceCalculator.MaxAmountFen;
        var quote = PriceCalculator.Quote(new PriceRequest(max, null, 99, 1_000_000, max), new TravelFeeRules(0, max, max));

        Assert.Equal(101 * max, quote.Breakdown!.TotalFen);
    }
}

public class CancellationPolicyTests
{
    private static readonly CancellationPolicy Policy = new(FreeHoursBeforeStart: 24, FeePercent: 20, MinFeeFen: 1000, MaxFeeFen: 5000);
    private static readonly DateTimeOffset Start = new(2025, 6, 2, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Cancelling_before_acceptance_is_free_even_at_the_last_minute()
    {
        var decision = Cancellation.Decide(Policy, OrderProgress.NotAccepted, Start, 10_000, Start.AddMinutes(-1));

        Assert.Equal(new CancellationQuote(0, 10_000, Cancellation.BeforeAcceptance), Assert.IsType<CancellationDecision.Allowed>(decision).Quote);
    }

    [Fact]
    public void Cancelling_after_acceptance_more_than_n_hours_ahead_is_free()
    {
        var decision = Cancellation.Decide(Policy, OrderProgress.Accepted, Start, 10_000, Start.AddHours(-24).AddMinutes(-1));

        Assert.Equal(0, Assert.IsType<CancellationDecision.Allowed>(decision).Quote.FeeFen);
    }

    [Fact]
    public void Cancelling_inside_the_window_costs_the_percentage_rounded_down()
    {
        var decision = Cancellation.Decide(Policy, OrderProgress.Accepted, Start, 12_345, Start.AddHours(-24));

        // 20 % of 12,345 = 2,469.0; of 12,349 it would be 2,469.8 → 2,469.
        Assert.Equal(new CancellationQuote(2469, 9876, Cancellation.InsideFeeWindow), Assert.IsType<CancellationDecision.Allowed>(decision).Quote);
        Assert.Equal(2469, Cancellation.Fee(Policy, 12_349));
    }

    [Theory]
    [InlineData(3_000, 1000)]  // 600 raised to the minimum
    [InlineData(100_000, 5000)] // 20,000 capped at the maximum
    [InlineData(500, 500)]      // the minimum never exceeds what was paid
    public void Fee_is_clamped_to_min_max_and_to_the_amount_paid(long paid, long fee) =>
        Assert.Equal(fee, Cancellation.Fee(Policy, paid));

    [Fact]
    public void Fee_of_a_huge_total_does_not_overflow()
    {
        Assert.Equal(long.MaxValue / 100 * 20 + long.MaxValue % 100 * 20 / 100, Cancellation.Fee(new CancellationPolicy(24, 20), long.MaxValue));
    }

    [Fact]
    public void Cancelling_after_the_service_started_is_not_allowed()
    {
        var decision = Cancellation.Decide(Policy, OrderProgress.Started, Start, 10_000, Start.AddHours(1));

        Assert.Equal(Cancellation.ServiceStarted, Assert.IsType<CancellationDecision.NotAllowed>(decision).Reason);
    }
}
