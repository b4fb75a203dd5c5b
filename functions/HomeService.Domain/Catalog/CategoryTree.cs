namespace HomeService.Domain.Catalog;

/// <summary>The facts about a category the two-level rules need.</summary>
public sealed record CategoryNodeInfo(string Id, string? ParentId, int SortOrder, bool Active);

/// <summary>Rules of the two-level category tree: top-level categories (no parent) and their children.</summary>
public static class CategoryTree
{
    /// <summary>Why <paramref name="parentId"/> cannot be the parent of <paramref name="categoryId"/>, or null when it can.</summary>
    public static string? ParentProblem(string categoryId, string parentId, CategoryNodeInfo? parent, bool categoryHasChildren)
    {
        if (string.Equals(categoryId, parentId, StringComparison.Ordinal))
        {
            return "invalid";
        }

        if (parent is null)
        {
            return "unknown_reference";
        }

        if (parent.ParentId is not null)
        {
            return "category_not_top_level";
        }

        // A category with children is top level; giving it a parent would make a third level.
        return categoryHasChildren ? "category_has_children" : null;
    }

    /// <summary>
    /// The category ids a browse filter by <paramref name="categoryId"/> covers: a top-level category covers
    /// itself and its children, a child only itself.
    /// </summary>
    public static IReadOnlyList<string> Scope(string categoryId, IEnumerable<CategoryNodeInfo> all)
    {
        var list = all.ToList();
        var children = list.Where(c => string.Equals(c.ParentId, categoryId, StringComparison.Ordinal)).Select(c => c.Id);
        return [categoryId, .. children];
    }

    /// <summary>
    /// Active top-level categories with their active children, each level by sort order then id. With
    /// <paramref name="offered"/> (the category ids that have items in a city), only offered children are kept
    /// and top-level categories left without children are dropped.
    /// </summary>
    public static IReadOnlyList<(T Parent, IReadOnlyList<T> Children)> Build<T>(
        IEnumerable<T> categories, Func<T, CategoryNodeInfo> info, IReadOnlySet<string>? offered = null)
    {
        var active = categories.Where(c => info(c).Active).ToList();
        IEnumerable<T> Ordered(IEnumerable<T> source) => source.OrderBy(c => info(c).SortOrder).ThenBy(c => info(c).Id, StringComparer.Ordinal);
        return Ordered(active.Where(c => info(c).ParentId is null))
            .Select(p => (Parent: p, Children: (IReadOnlyList<T>)Ordered(active.Where(c =>
                string.Equals(info(c).ParentId, info(p).Id, StringComparison.Ordinal) && (offered is null || offered.Contains(info(c).Id)))).ToList()))
            .Where(node => offered is null || node.Children.Count > 0)
            .ToList();
    }

    /// <summary>Categories whose items are not shown: inactive ones and the children of inactive top-level ones.</summary>
    public static IReadOnlyList<string> Hidden(IEnumerable<CategoryNodeInfo> all)
    {
        var list = all.ToList();
        var inactiveParents = list.Where(c => c.ParentId is null && !c.Active).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        return list.Where(c => !c.Active || (c.ParentId is not null && inactiveParents.Contains(c.ParentId))).Select(c => c.Id).ToList();
    }
}
