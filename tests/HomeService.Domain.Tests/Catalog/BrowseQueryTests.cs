using HomeService.Domain.Catalog;

namespace HomeService.Domain.Tests.Catalog;

public sealed class BrowseQueryTests
{
    [Fact]
    public void Defaults_are_popularity_and_twenty_per_page_with_a_normalized_keyword()
    {
        var (query, errors) = BrowseQuery.Parse("shanghai", "  Deep CLEAN ", " ", null, null, null, null, null, null);

        Assert.Empty(errors);
        Assert.Equal(BrowseSort.Popularity, query!.Sort);
        Assert.Equal(20, query.PageSize);
        Assert.Equal("deep clean", query.Keyword);
        Assert.Null(query.CategoryId);
    }

    [Fact]
    public void Every_bad_parameter_is_reported_by_name()
    {
        var (query, errors) = BrowseQuery.Parse("shanghai", null, null, 500, 100, -1, null, "cheapest", 0);

        Assert.Null(query);
        Assert.Equal(
            ["minDuration:out_of_range", "minPrice:min_above_max", "pageSize:out_of_range", "sort:invalid_sort"],
            errors.Select(e => $"{e.Field}:{e.Code}").Order());
    }

    [Theory]
    [InlineData("price_asc", BrowseSort.PriceAsc)]
    [InlineData("price_desc", BrowseSort.PriceDesc)]
    [InlineData("popularity", BrowseSort.Popularity)]
    public void Sorts_parse_by_their_wire_names(string value, BrowseSort expected)
    {
        Assert.True(BrowseQuery.TryParseSort(value, out var sort));
        Assert.Equal(expected, sort);
    }

    [Fact]
    public void Unknown_sorts_do_not_parse() => Assert.False(BrowseQuery.TryParseSort("PRICE_ASC", out _));
}

public sealed class KeywordTermsTests
{
    [Theory]
    [InlineData("AC", " ac | ac\n|\nac |\nac\n")]
    [InlineData("  Deep   CLEAN! ", " deep clean | deep clean\n|\ndeep clean |\ndeep clean\n")]
    [InlineData("空调", "空调")]
    [InlineData("格力AC", "格力 ac |格力 ac\n")]
    [InlineData("?!", "")]
    public void A_keyword_becomes_its_terms_between_boundaries_where_a_spaced_script_needs_them(string keyword, string patterns) =>
        Assert.Equal(patterns, string.Join('|', Localization.KeywordPatterns(keyword)));

    [Fact]
    public void Search_text_keeps_each_text_on_a_line_of_space_delimited_terms()
    {
        var text = Localization.SearchText(["空调清洗", "AC cleaning (deep)", null, "Surface-waxing"]);
        var padded = " " + text + " ";

        Assert.Equal("空调清洗\nac cleaning deep\nsurface waxing", text);
        Assert.Contains(Localization.KeywordPatterns("ac"), p => padded.Contains(p, StringComparison.Ordinal));
        Assert.Contains(Localization.KeywordPatterns("waxing"), p => padded.Contains(p, StringComparison.Ordinal));
        Assert.DoesNotContain(Localization.KeywordPatterns("face"), p => padded.Contains(p, StringComparison.Ordinal));
    }
}
