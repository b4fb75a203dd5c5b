using HomeService.Domain.Common;
using HomeService.Domain.Orders;

namespace HomeService.Domain.Tests.Orders;

public sealed class VisitRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 10, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = Start.AddHours(2);
    private static readonly GeoPoint Address = new(31.2304, 121.4737);
    private static readonly GeoPoint Beijing = new(39.9042, 116.4074);

    private static (VisitEvidence Evidence, VisitViolation? Violation) Check(VisitStep step, DateTimeOffset now, GeoPoint at, string? exemptedBy = null) =>
        VisitRules.Check(VisitPolicy.Default, step, Start, End, Address, at, now, exemptedBy);

    [Theory]
    [InlineData(VisitStep.Arrive, -61, false)]
    [InlineData(VisitStep.Arrive, -60, true)]
    [InlineData(VisitStep.Arrive, 180, true)]
    [InlineData(VisitStep.Arrive, 181, false)]
    [InlineData(VisitStep.Start, 181, false)]
    [InlineData(VisitStep.Complete, 120 + 240, true)]
    [InlineData(VisitStep.Complete, 120 + 241, false)]
    [InlineData(VisitStep.Complete, -61, false)]
    public void Each_step_has_its_window_around_the_booked_time(VisitStep step, int minutesFromStart, bool allowed)
    {
        var (_, violation) = Check(step, Start.AddMinutes(minutesFromStart), Address);
        Assert.Equal(allowed, violation is null);
        if (!allowed)
        {
            Assert.Equal((VisitRule.TimeWindow, "visit_outside_time_window"), (violation!.Rule, violation.Code));
        }
    }

    [Fact]
    public void The_geofence_counts_metres_from_the_address()
    {
        var inside = new GeoPoint(Address.Latitude + 0.0044, Address.Longitude); // ≈ 489 m north
        var outside = new GeoPoint(Address.Latitude + 0.0046, Address.Longitude); // ≈ 512 m north
        Assert.Null(Check(VisitStep.Arrive, Start, inside).Violation);
        var (evidence, violation) = Check(VisitStep.Arrive, Start, outside);
        Assert.Equal((VisitRule.Geofence, "visit_outside_geofence", 500), (violation!.Rule, violation.Code, violation.GeofenceMeters));
        Assert.InRange(evidence.DistanceMeters, 501, 530);
    }

    [Fact]
    public void Twelve_days_early_and_a_thousand_kilometres_away_breaks_the_time_window_first_and_reports_the_distance()
    {
        var (evidence, violation) = Check(VisitStep.Complete, Start.AddDays(-12), Beijing);
        Assert.Equal(VisitRule.TimeWindow, violation!.Rule);
        Assert.InRange(evidence.DistanceMeters, 1_060_000, 1_075_000);
        Assert.Equal((Start.AddHours(-1), End.AddHours(4)), (violation.AllowedFrom, violation.AllowedTo));
    }

    [Fact]
    public void An_exemption_lets_the_step_through_and_names_the_admin_only_when_a_rule_was_broken()
    {
        var exempted = Check(VisitStep.Arrive, Start.AddDays(-12), Beijing, exemptedBy: "admin-1");
        Assert.Null(exempted.Violation);
        Assert.Equal("admin-1", exempted.Evidence.ExemptedBy);
        var onTime = Check(VisitStep.Arrive, Start, Address, exemptedBy: "admin-1");
        Assert.Null(onTime.Evidence.ExemptedBy);
    }
}
