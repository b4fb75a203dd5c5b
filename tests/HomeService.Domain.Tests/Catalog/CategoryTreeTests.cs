using HomeService.Domain.Catalog;

namespace HomeService.Domain.Tests.Catalog;

public sealed class CategoryTreeTests
{
    private static readonly CategoryNodeInfo Cleaning = new("cleaning", null, 2, true);
    private static readonly CategoryNodeInfo Daily = new("daily", "cleaning", 2, true);
    private static readonly CategoryNodeInfo Deep = new("deep", "cleaning", 1, true);
    private static readonly CategoryNodeInfo Repair = new("repair", null, 1, true);
    private static readonly CategoryNodeInfo AirCon = new("aircon", "repair", 1, false);
    private static readonly CategoryNodeInfo Beauty = new("beauty", null, 3, false);
    private static readonly CategoryNodeInfo Nails = new("nails", "beauty", 1, true);
    private static readonly CategoryNodeInfo[] All = [Cleaning, Daily, Deep, Repair, AirCon, Beauty, Nails];

    [Fact]
    public void A_child_may_only_hang_under_an_existing_top_level_category()
    {
        Assert.Null(CategoryTree.ParentProblem("new", "cleaning", Cleaning, categoryHasChildren: false));
        Assert.Equal("category_not_top_level", CategoryTree.ParentProblem("new", "daily", Daily, false));
        Assert.Equal("unknown_reference", CategoryTree.ParentProblem("new", "missing", null, false));
        Assert.Equal("invalid", CategoryTree.ParentProblem("cleaning", "cleaning", Cleaning, false));
        Assert.Equal("category_has_children", CategoryTree.ParentProblem("repair", "cleaning", Cleaning, categoryHasChildren: true));
    }

    [Fact]
    public void A_top_level_filter_covers_its_children_and_a_child_only_itself()
    {
        Assert.Equal(["cleaning", "daily", "deep"], CategoryTree.Scope("cleaning", All).Order());
        Assert.Equal(["daily"], CategoryTree.Scope("daily", All));
    }

    [Fact]
    public void The_tree_holds_active_categories_by_sort_order()
    {
        var tree = CategoryTree.Build(All, c => c);

        Assert.Equal(["repair", "cleaning"], tree.Select(n => n.Parent.Id));
        Assert.Empty(tree[0].Children);
        Assert.Equal(["deep", "daily"], tree[1].Children.Select(c => c.Id));
    }

    [Fact]
    public void A_city_tree_keeps_only_offered_children_and_drops_empty_parents()
    {
        var tree = CategoryTree.Build(All, c => c, new HashSet<string> { "daily" });

        var node = Assert.Single(tree);
        Assert.Equal("cleaning", node.Parent.Id);
        Assert.Equal(["daily"], node.Children.Select(c => c.Id));
    }

    [Fact]
    public void Items_of_inactive_categories_and_of_children_of_inactive_parents_are_hidden() =>
        Assert.Equal(["aircon", "beauty", "nails"], CategoryTree.Hidden(All).Order());
}
