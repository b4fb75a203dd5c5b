using HomeService.Domain.Catalog;

namespace HomeService.Domain.Tests.Catalog;

public sealed class CatalogRulesTests
{
    [Theory]
    [InlineData("shanghai", true)]
    [InlineData("deep-cleaning-2h", true)]
    [InlineData("a", true)]
    [InlineData("Shanghai", false)]
    [InlineData("-leading", false)]
    [InlineData("trailing-", false)]
    [InlineData("has space", false)]
    [InlineData("上海", false)]
    [InlineData("", false)]
    public void Ids_are_lower_case_slugs(string id, bool valid) => Assert.Equal(valid, CatalogRules.IsSlug(id));

    [Fact]
    public void Generated_ids_are_slugs_named_by_kind()
    {
        var id = CatalogRules.NewId("item");
        Assert.StartsWith("item-", id);
        Assert.True(CatalogRules.IsSlug(id));
        Assert.NotEqual(id, CatalogRules.NewId("item"));
    }

    [Theory]
    [InlineData("en", "Regular cleaning")]
    [InlineData("en-US", "Regular cleaning")]
    [InlineData("zh-CN", "日常保洁（简体）")]
    [InlineData("zh-TW", "日常保洁（简体）")]
    [InlineData("fr", "日常保洁")]
    public void A_translation_is_picked_by_exact_tag_then_primary_language(string language, string expected)
    {
        var translations = new Dictionary<string, string> { ["en"] = "Regular cleaning", ["zh-CN"] = "日常保洁（简体）" };
        Assert.Equal(expected, Localization.Pick("日常保洁", translations, language));
    }

    [Fact]
    public void Without_translations_the_text_as_written_is_served() =>
        Assert.Equal("日常保洁", Localization.Pick("日常保洁", null, "en"));

    [Fact]
    public void Search_text_is_lower_cased_and_skips_empty_parts() =>
        Assert.Equal("日常保洁\nregular cleaning", Localization.SearchText(["日常保洁", " Regular Cleaning ", "", null]));

    [Fact]
    public void Sort_keys_order_by_price_then_id_and_by_descending_popularity_then_id()
    {
        string[] byPrice = [SortKeys.Price(900, "b"), SortKeys.Price(10_000, "a"), SortKeys.Price(900, "a"), SortKeys.Price(10_000_000, "c")];
        string[] byPopularity = [SortKeys.Popularity(3, "b"), SortKeys.Popularity(1_000, "z"), SortKeys.Popularity(3, "a"), SortKeys.Popularity(0, "a")];

        Assert.Equal([SortKeys.Price(900, "a"), SortKeys.Price(900, "b"), SortKeys.Price(10_000, "a"), SortKeys.Price(10_000_000, "c")],
            byPrice.Order(StringComparer.Ordinal));
        Assert.Equal([SortKeys.Popularity(1_000, "z"), SortKeys.Popularity(3, "a"), SortKeys.Popularity(3, "b"), SortKeys.Popularity(0, "a")],
            byPopularity.Order(StringComparer.Ordinal));
    }
}
