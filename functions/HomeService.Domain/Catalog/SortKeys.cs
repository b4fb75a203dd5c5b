namespace HomeService.Domain.Catalog;

/// <summary>
/// Unique, ordinally sortable keys an item is browsed by: a fixed-width number, then the id to break ties.
/// Paging resumes strictly after the last key served, so every item appears exactly once however many
/// share a price or popularity. Whoever changes price or popularity recomputes the matching key.
/// </summary>
public static class SortKeys
{
    /// <summary>Ascending by price (MaxPriceFen fits 10 digits), then id.</summary>
    public static string Price(long priceFen, string id) => $"{priceFen:D10}|{id}";

    /// <summary>Ascending key = best average rating first (to 0.01), then more reviews, then id; unrated items last.</summary>
    public static string Rating(double average, int count, string id) =>
        $"{(long)Math.Round((5 - Math.Clamp(average, 0, 5)) * 100):D3}|{int.MaxValue - Math.Max(0, count):D10}|{id}";

    /// <summary>Ascending key = descending popularity, then id.</summary>
    public static string Popularity(long popularity, string id) => $"{long.MaxValue - Math.Max(0, popularity):D19}|{id}";
}
