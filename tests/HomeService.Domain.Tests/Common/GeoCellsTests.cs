using HomeService.Domain.Common;

namespace HomeService.Domain.Tests.Common;

public sealed class GeoCellsTests
{
    private static readonly GeoPoint Shanghai = new(31.2304, 121.4737);

    [Fact]
    public void Encodes_the_standard_geohash() =>
        Assert.Equal("wtw3s", GeoCells.Encode(Shanghai, 5));

    [Theory]
    [InlineData(3)]
    [InlineData(15)]
    [InlineData(30)]
    public void Every_point_within_the_radius_finds_the_worker_by_its_cell_and_far_points_do_not(double radiusKm)
    {
        var cover = GeoCells.Cover(Shanghai, radiusKm).ToHashSet(StringComparer.Ordinal);
        var random = new Random(12);
        for (var i = 0; i < 2_000; i++)
        {
            var bearing = random.NextDouble() * 2 * Math.PI;
            var km = random.NextDouble() * radiusKm * 0.999;
            var point = Offset(Shanghai, km, bearing);
            Assert.Contains(GeoCells.Keys(point), key => cover.Contains(key));
        }

        var far = Offset(Shanghai, radiusKm + 45, 1.0);
        Assert.DoesNotContain(GeoCells.Keys(far), key => cover.Contains(key));
        Assert.True(cover.Count < 400, $"{cover.Count} cells");
    }

    [Fact]
    public void No_home_base_point_or_radius_covers_nothing() =>
        Assert.Empty(GeoCells.Cover(Shanghai, 0));

    /// <summary>A home base less than one cell's height away from the address is in its 3 × 3 block; one three cells away is not.</summary>
    [Theory]
    [InlineData(GeoCells.InnerRingPrecision, 0.5, 2.5)]
    [InlineData(GeoCells.OuterRingPrecision, 4.0, 16)]
    public void The_neighbourhood_holds_every_point_within_a_cell_of_the_address_and_not_far_ones(int precision, double nearKm, double farKm)
    {
        var random = new Random(12);
        for (var i = 0; i < 500; i++)
        {
            var address = Offset(Shanghai, random.NextDouble() * 20, random.NextDouble() * 2 * Math.PI);
            var block = GeoCells.Neighborhood(address, precision);
            Assert.Equal(9, block.Count);
            var bearing = random.NextDouble() * 2 * Math.PI;
            Assert.Contains(GeoCells.Encode(Offset(address, random.NextDouble() * nearKm, bearing), precision), block);
            Assert.DoesNotContain(GeoCells.Encode(Offset(address, farKm, bearing), precision), block);
        }
    }

    private static GeoPoint Offset(GeoPoint from, double km, double bearing) =>
        new(from.Latitude + km / 111.0 * Math.Cos(bearing), from.Longitude + km / (111.32 * Math.Cos(from.Latitude * Math.PI / 180)) * Math.Sin(bearing));
}
