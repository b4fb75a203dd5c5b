namespace HomeService.Domain.Common;

/// <summary>
/// Geohash cells as a spatial prefilter: a worker stores the cells their service circle touches, and a query for an
/// address asks for workers whose cells contain the address's cell, so it reads only workers who may reach it.
/// Circles up to <see cref="FinePrecisionMaxRadiusKm"/> are covered with precision-5 cells (≈ 4.9 × 4.9 km at the
/// equator), larger ones with precision-4 cells (≈ 39 × 19.5 km), which keeps a cover to a few hundred cells at most.
/// A query asks for the address's cell at both precisions. The cover may include cells the circle only grazes;
/// the exact distance rule still decides.
/// </summary>
public static class GeoCells
{
    public const int FinePrecision = 5;
    public const int CoarsePrecision = 4;
    public const double FinePrecisionMaxRadiusKm = 20;
    private const string Base32 = "0123456789bcdefghjkmnpqrstuvwxyz";

    /// <summary>The geohash of <paramref name="point"/> with <paramref name="precision"/> characters.</summary>
    public static string Encode(GeoPoint point, int precision)
    {
        double latMin = -90, latMax = 90, lonMin = -180, lonMax = 180;
        var chars = new char[precision];
        var even = true;
        for (var i = 0; i < precision; i++)
        {
            var index = 0;
            for (var bit = 4; bit >= 0; bit--)
            {
                if (even)
                {
                    var mid = (lonMin + lonMax) / 2;
                    if (point.Longitude >= mid) { index |= 1 << bit; lonMin = mid; } else { lonMax = mid; }
                }
                else
                {
                    var mid = (latMin + latMax) / 2;
                    if (point.Latitude >= mid) { index |= 1 << bit; latMin = mid; } else { latMax = mid; }
                }

                even = !even;
            }

            chars[i] = Base32[index];
        }

        return new string(chars);
    }

    /// <summary>The cells an address is looked up by: its cell at each precision a cover may use.</summary>
    public static IReadOnlyList<string> Keys(GeoPoint point) => [Encode(point, FinePrecision), Encode(point, CoarsePrecision)];

    /// <summary>Precision of the innermost ring of a nearest-first read (≈ 1.2 × 0.6 km cells, so a 3 × 3 block spans ≈ 3.6 × 1.8 km).</summary>
    public const int InnerRingPrecision = 6;

    /// <summary>Precision of the second ring (≈ 4.9 × 4.9 km cells, a 3 × 3 block ≈ 14.7 km across).</summary>
    public const int OuterRingPrecision = 5;

    /// <summary>
    /// The cell of <paramref name="point"/> at <paramref name="precision"/> and its eight neighbours: every point within
    /// one cell's width (or height) of <paramref name="point"/> lies in one of them.
    /// </summary>
    public static IReadOnlyList<string> Neighborhood(GeoPoint point, int precision)
    {
        var (cellLat, cellLon) = CellSize(precision);
        var cells = new HashSet<string>(StringComparer.Ordinal);
        for (var dLat = -1; dLat <= 1; dLat++)
        {
            for (var dLon = -1; dLon <= 1; dLon++)
            {
                var lat = Math.Clamp(point.Latitude + dLat * cellLat, -89.999999, 89.999999);
                cells.Add(Encode(new GeoPoint(lat, Wrap(point.Longitude + dLon * cellLon)), precision));
            }
        }

        return [.. cells.Order(StringComparer.Ordinal)];
    }

    /// <summary>Every cell (at one precision chosen by the radius) that has a point within <paramref name="radiusKm"/> of <paramref name="center"/>.</summary>
    public static IReadOnlyList<string> Cover(GeoPoint center, double radiusKm)
    {
        if (!GeoPoint.IsValid(center.Latitude, center.Longitude) || !(radiusKm > 0))
        {
            return [];
        }

        var precision = radiusKm <= FinePrecisionMaxRadiusKm ? FinePrecision : CoarsePrecision;
        var (cellLat, cellLon) = CellSize(precision);
        var radiusM = radiusKm * 1000;
        var dLat = radiusKm / 111.0;
        var dLon = radiusKm / (111.320 * Math.Max(0.01, Math.Cos(center.Latitude * Math.PI / 180)));
        var cells = new HashSet<string>(StringComparer.Ordinal);
        var lat0 = Math.Floor((Math.Max(-90, center.Latitude - dLat) + 90) / cellLat) * cellLat - 90;
        for (var lat = lat0; lat <= Math.Min(90, center.Latitude + dLat); lat += cellLat)
        {
            var lon0 = Math.Floor((center.Longitude - dLon + 180) / cellLon) * cellLon - 180;
            for (var lon = lon0; lon <= center.Longitude + dLon; lon += cellLon)
            {
                // The point of the cell nearest the centre decides whether the circle reaches it.
                var nearest = new GeoPoint(Math.Clamp(center.Latitude, lat, lat + cellLat), Math.Clamp(center.Longitude, lon, lon + cellLon));
                if (center.DistanceMetersTo(nearest) <= radiusM)
                {
                    var middle = new GeoPoint(Math.Min(89.999999, lat + cellLat / 2), Wrap(lon + cellLon / 2));
                    cells.Add(Encode(middle, precision));
                }
            }
        }

        return [.. cells.Order(StringComparer.Ordinal)];
    }

    private static (double Lat, double Lon) CellSize(int precision)
    {
        var bits = precision * 5;
        var lonBits = (bits + 1) / 2;
        var latBits = bits / 2;
        return (180.0 / (1L << latBits), 360.0 / (1L << lonBits));
    }

    private static double Wrap(double longitude) => ((longitude + 180) % 360 + 360) % 360 - 180;
}
