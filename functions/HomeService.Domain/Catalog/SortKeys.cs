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

    /// <summary>Ascending key = descending popularity, then id.</summary>
    public static string Popularity(long popularity, string id) => $"{long.MaxValue - Math.Max(0, popularity):D19}|{id}";
}
