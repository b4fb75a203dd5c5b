using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Domain.Catalog;
using HomeService.Functions.Catalog;

namespace HomeService.Functions.Seed;

/// <summary>Demo catalog with fixed ids: three cities, four top-level categories with children, 14 items, 2 packages.</summary>
public static class DemoCatalog
{
    private static readonly DateTimeOffset SeededAt = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const string Shanghai = "shanghai";
    private const string Beijing = "beijing";
    private const string Shenzhen = "shenzhen";

    public static IReadOnlyList<CityDocument> Cities { get; } =
    [
        City(Shanghai, "上海", "Shanghai", 31.2304, 121.4737, ["黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "浦东新区", "闵行区", "宝山区"]),
        City(Beijing, "北京", "Beijing", 39.9042, 116.4074, ["东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "通州区", "昌平区"]),
        City(Shenzhen, "深圳", "Shenzhen", 22.5431, 114.0579, ["福田区", "罗湖区", "南山区", "宝安区", "龙岗区", "龙华区"]),
    ];

    public static IReadOnlyList<CategoryDocument> Categories { get; } =
    [
        Category("cleaning", null, 10, "家政保洁", "Cleaning"),
        Category("daily-cleaning", "cleaning", 10, "日常保洁", "Regular cleaning"),
        Category("deep-cleaning", "cleaning", 20, "深度保洁", "Deep cleaning"),
        Category("move-in-cleaning", "cleaning", 30, "开荒保洁", "Move-in cleaning"),
        Category("appliance-repair", null, 20, "家电维修", "Appliance repair"),
        Category("air-conditioner", "appliance-repair", 10, "空调清洗维修", "Air conditioners"),
        Category("washing-machine", "appliance-repair", 20, "洗衣机", "Washing machines"),
        Category("refrigerator", "appliance-repair", 30, "冰箱", "Refrigerators"),
        Category("beauty", null, 30, "美容美发", "Beauty & hair"),
        Category("haircut", "beauty", 10, "上门理发", "Haircuts at home"),
        Category("nails", "beauty", 20, "美甲美睫", "Nails & lashes"),
        Category("health-care", null, 40, "健康护理", "Health & care"),
        Category("massage", "health-care", 10, "推拿按摩", "Massage"),
        Category("elderly-care", "health-care", 20, "老人陪护", "Elderly care"),
        Category("maternity-care", "health-care", 30, "母婴护理", "Mother & baby care"),
    ];

    public static IReadOnlyList<ItemDocument> Items { get; } =
    [
        Item("daily-cleaning-2h", "daily-cleaning", "日常保洁 2 小时", "Regular cleaning, 2 hours",
            "客厅、卧室、厨房、卫生间表面清洁，适合 60㎡ 以内的住宅。", "Surface cleaning of living room, bedrooms, kitchen and bathroom; homes up to 60 m².",
            10_000, 120, 30, [Shanghai, Beijing, Shenzhen], 980,
            ["确认清洁范围", "除尘擦拭家具表面", "清洁厨房台面与灶台", "清洁卫生间洁具", "拖地并检查"], ["多功能清洁剂", "超细纤维抹布", "拖把"]),
        Item("daily-cleaning-3h", "daily-cleaning", "日常保洁 3 小时", "Regular cleaning, 3 hours",
            "全屋日常清洁，适合 60–100㎡ 的住宅。", "Whole-home regular cleaning for homes of 60–100 m².",
            15_000, 180, 30, [Shanghai, Beijing, Shenzhen], 1_250,
            ["确认清洁范围", "全屋除尘", "厨房卫生间清洁", "地面清洁", "垃圾清运"], ["多功能清洁剂", "超细纤维抹布", "拖把", "吸尘器"]),
        Item("kitchen-deep-cleaning", "deep-cleaning", "厨房深度清洁", "Kitchen deep cleaning",
            "油烟机拆洗、灶台去油污、橱柜内外擦拭。", "Range hood disassembly and cleaning, degreasing the stove, cabinets inside and out.",
            29_900, 240, 30, [Shanghai, Beijing], 640,
            ["检查油烟机型号", "拆卸油烟机滤网与风轮", "高温蒸汽去油", "橱柜内外清洁", "复装并试机"], ["高温蒸汽机", "重油污清洁剂", "铲刀"]),
        Item("bathroom-deep-cleaning", "deep-cleaning", "卫生间深度清洁", "Bathroom deep cleaning",
            "去除水垢、霉斑，清洁淋浴房、马桶、地漏。", "Removes limescale and mould; cleans the shower, toilet and floor drain.",
            19_900, 180, 30, [Shanghai, Beijing, Shenzhen], 520,
            ["除水垢", "玻璃与淋浴房清洁", "马桶消毒", "地漏疏通清洁", "通风除味"], ["除垢剂", "除霉剂", "消毒液"]),
        Item("move-in-cleaning-100", "move-in-cleaning", "新房开荒保洁（100㎡ 以内）", "Move-in cleaning (up to 100 m²)",
            "装修后首次全面清洁：去除建筑灰尘、胶渍、涂料点。", "First full clean after renovation: construction dust, glue and paint spots.",
            69_900, 480, 60, [Shanghai, Beijing], 310,
            ["全屋除尘", "门窗玻璃清洁", "去除胶渍与涂料点", "厨卫清洁", "地面清洁与验收"], ["工业吸尘器", "玻璃刮", "铲刀", "专用清洁剂"],
            materialsFen: 5_000),
        Item("ac-cleaning-wall", "air-conditioner", "挂式空调深度清洗", "Wall-mounted AC deep cleaning",
            "拆洗滤网、高温蒸汽清洗蒸发器，杀菌除味。", "Filter washing, steam cleaning of the evaporator, disinfection and deodorising.",
            9_900, 60, 15, [Shanghai, Beijing, Shenzhen], 1_530,
            ["试机检查", "拆卸面板与滤网", "蒸汽清洗蒸发器", "杀菌除味", "复装试机"], ["高温蒸汽机", "防水罩", "杀菌剂"]),
        Item("ac-repair", "air-conditioner", "空调不制冷检修", "AC not cooling: diagnosis and repair",
            "上门检测故障原因，报价后维修；加氟、配件另计。", "On-site diagnosis and a quote before repair; refrigerant and parts are extra.",
            5_000, 60, 30, [Shanghai, Beijing, Shenzhen], 870,
            ["故障检测", "报价确认", "维修或加氟", "试机验收"], ["压力表", "检漏仪", "万用表"], materialsFen: 15_000),
        Item("washing-machine-cleaning", "washing-machine", "洗衣机拆洗", "Washing machine deep cleaning",
            "拆卸内筒清除污垢，适用于波轮与滚筒洗衣机。", "Drum removed and cleaned; top-loading and front-loading machines.",
            12_900, 90, 15, [Shanghai, Beijing], 450,
            ["断电检查", "拆卸内筒", "清洗内外筒", "消毒", "复装试机"], ["专用拆卸工具", "高温蒸汽机", "消毒液"]),
        Item("refrigerator-repair", "refrigerator", "冰箱维修检测", "Refrigerator diagnosis and repair",
            "不制冷、结霜、异响等故障上门检测维修。", "Not cooling, frosting or noises: on-site diagnosis and repair.",
            6_000, 60, 30, [Shanghai, Beijing, Shenzhen], 260,
            ["故障检测", "报价确认", "维修", "试机验收"], ["万用表", "压力表"], materialsFen: 10_000),
        Item("home-haircut", "haircut", "上门理发（男士/儿童）", "Haircut at home (men / children)",
            "持证理发师上门，含洗剪吹。", "A certified barber at your home: wash, cut and blow-dry.",
            6_800, 45, 15, [Shanghai, Beijing], 390,
            ["沟通发型", "洗发", "修剪", "吹干造型", "清理碎发"], ["理发剪", "电推剪", "围布", "吹风机"]),
        Item("gel-manicure", "nails", "上门美甲（纯色）", "Gel manicure at home (solid colour)",
            "修型、护理与纯色光疗甲。", "Shaping, cuticle care and a solid-colour gel polish.",
            12_800, 90, 15, [Shanghai, Shenzhen], 720,
            ["手部清洁消毒", "修型", "死皮护理", "上底胶与色胶", "封层"], ["美甲灯", "一次性工具包", "光疗胶"]),
        Item("tuina-60", "massage", "中式推拿 60 分钟", "Chinese tuina massage, 60 minutes",
            "专业推拿师上门，缓解肩颈腰背疲劳。", "A trained therapist at home to relieve neck, shoulder and back fatigue.",
            19_800, 60, 30, [Shanghai, Beijing, Shenzhen], 1_120,
            ["了解身体状况", "肩颈推拿", "背部推拿", "腿部放松"], ["按摩床单", "按摩油"]),
        Item("elderly-care-4h", "elderly-care", "老人陪护 4 小时", "Elderly companionship, 4 hours",
            "陪伴聊天、协助用餐与服药提醒、陪同散步。", "Companionship, help with meals, medication reminders and walks.",
            24_000, 240, 30, [Shanghai, Beijing], 180,
            ["了解老人情况", "生活照料", "陪伴活动", "服务记录"], ["血压计"]),
        Item("postpartum-care", "maternity-care", "产后修复护理", "Postpartum recovery care",
            "产后骨盆与腹直肌修复、乳房护理指导。", "Pelvic floor and abdominal recovery, breastfeeding guidance.",
            29_800, 90, 30, [Shanghai], 150,
            ["产后评估", "修复护理", "居家指导"], ["护理床单", "仪器"]),
    ];

    public static IReadOnlyList<PackageDocument> Packages { get; } =
    [
        new()
        {
            Id = "new-home-package",
            Name = "新家入住套餐",
            Translations = new() { ["en"] = "New home package" },
            Description = "开荒保洁 + 两台挂式空调清洗，入住前一次搞定。",
            DescriptionTranslations = new() { ["en"] = "Move-in cleaning plus cleaning of two wall-mounted ACs, all before you move in." },
            Items = [new PackageLine("move-in-cleaning-100", 1), new PackageLine("ac-cleaning-wall", 2)],
            PriceFen = 82_800,
            CityIds = [Shanghai, Beijing],
            Active = true,
            UpdatedAt = SeededAt,
        },
        new()
        {
            Id = "monthly-cleaning-package",
            Name = "月度保洁套餐（4 次）",
            Translations = new() { ["en"] = "Monthly cleaning (4 visits)" },
            Description = "每周一次 3 小时日常保洁，共 4 次。",
            DescriptionTranslations = new() { ["en"] = "A 3-hour regular cleaning once a week, four visits." },
            Items = [new PackageLine("daily-cleaning-3h", 4)],
            PriceFen = 54_000,
            CityIds = [Shanghai, Beijing, Shenzhen],
            Active = true,
            UpdatedAt = SeededAt,
        },
    ];

    private static CityDocument City(string id, string name, string en, double latitude, double longitude, IReadOnlyList<string> districts) => new()
    {
        Id = id,
        Name = name,
        Translations = new() { ["en"] = en },
        TimeZone = "Asia/Shanghai",
        Active = true,
        Districts = districts,
        Center = new GeoCenter(latitude, longitude),
        UpdatedAt = SeededAt,
    };

    private static CategoryDocument Category(string id, string? parentId, int sortOrder, string name, string en) => new()
    {
        Id = id,
        ParentId = parentId,
        Name = name,
        Translations = new() { ["en"] = en },
        SortOrder = sortOrder,
        Active = true,
        UpdatedAt = SeededAt,
    };

    private static ItemDocument Item(
        string id, string categoryId, string name, string en, string description, string descriptionEn, long priceFen,
        int durationMinutes, int bufferMinutes, IReadOnlyList<string> cityIds, long popularity, IReadOnlyList<string> steps,
        IReadOnlyList<string> tools, long materialsFen = 0) => new()
    {
        Id = id,
        Name = name,
        Translations = new() { ["en"] = en },
        Description = description,
        DescriptionTranslations = new() { ["en"] = descriptionEn },
        ProcessSteps = steps,
        Tools = tools,
        CategoryId = categoryId,
        DurationMinutes = durationMinutes,
        BufferMinutes = bufferMinutes,
        PriceFen = priceFen,
        // 上门费: free within 5 km, then ¥2/km, at most ¥30.
        ExtraFees = new ExtraFees(new TravelFeeRule(5, 200, 3_000), materialsFen),
        Images = [$"demo/{id}.jpg"],
        CityIds = cityIds,
        Active = true,
        Popularity = popularity,
        SearchText = Localization.SearchText([name, en, description, descriptionEn]),
        PriceKey = SortKeys.Price(priceFen, id),
        PopularityKey = SortKeys.Popularity(popularity, id),
        UpdatedAt = SeededAt,
    };
}

/// <summary>What the demo seed writes, as its version is computed from (<see cref="DemoCatalogSeeder.Version"/>).</summary>
internal sealed record DemoSeedContent(
    IReadOnlyList<CityDocument> Cities, IReadOnlyList<CategoryDocument> Categories, IReadOnlyList<ItemDocument> Items,
    IReadOnlyList<PackageDocument> Packages, IReadOnlyList<DemoWorkers.Demo> Workers);

/// <summary>Build-time serialization metadata for <see cref="DemoSeedContent"/> (hashing only: <see cref="DemoCatalogSeeder"/>).</summary>
[global::System.Text.Json.Serialization.JsonSerializable(typeof(DemoSeedContent))]
internal sealed partial class DemoSeedJsonContext : global::System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>The marker a finished demo seed leaves in the system container: which version of the demo data it wrote.</summary>
internal sealed record DemoSeedMarker(string Id, string Version, DateTimeOffset SeededAt);

/// <summary>
/// Writes <see cref="DemoCatalog"/> and <see cref="DemoWorkers"/> at start-up when Seed:Demo=true (local runs), as part of
/// the start-up storage work (<see cref="StartupInitializer"/>: after the containers exist, before the app is ready);
/// upserts, so reruns change nothing. A finished seed leaves a <see cref="DemoSeedMarker"/> naming the demo data's version (a hash
/// of the documents it writes), so a start whose seed is present makes one point read instead of ~45 writes; a changed
/// demo catalog has another version and is seeded again.
/// </summary>
internal sealed class DemoCatalogSeeder(
    IConfiguration configuration, CatalogStore store, CosmosDb db, TimeProvider time, ILogger<DemoCatalogSeeder> logger)
{
    public const string MarkerId = "demo-seed";

    /// <summary>
    /// The documents' JSON (the Cosmos options) with build-time metadata (<see cref="DemoSeedJsonContext"/>): every local
    /// start hashes the demo data, and reflection-built metadata for these types was most of that. Only ever used to
    /// serialize — source-generated metadata would read a document without an init-only property as 0, not as its
    /// initializer's default (e.g. a city's area radius), so the Cosmos options themselves stay on reflection.
    /// </summary>
    private static readonly global::System.Text.Json.JsonSerializerOptions VersionOptions =
        new(CosmosDb.JsonOptions) { TypeInfoResolver = DemoSeedJsonContext.Default };

    public async Task EnsureSeededAsync(CancellationToken cancellationToken)
    {
        if (!configuration.GetValue<bool>("Seed:Demo"))
        {
            return;
        }

        var version = Version();
        var marker = (await db.System.ReadOrNullAsync<DemoSeedMarker>(MarkerId, MarkerId, cancellationToken))?.Resource;
        if (marker?.Version == version)
        {
            logger.LogInformation("Demo data already seeded (version {Version})", version);
            return;
        }

        await SeedAsync(store, cancellationToken);
        await DemoWorkers.SeedAsync(db, time, cancellationToken);
        await db.System.UpsertItemAsync(new DemoSeedMarker(MarkerId, version, time.GetUtcNow()), new Microsoft.Azure.Cosmos.PartitionKey(MarkerId),
            cancellationToken: cancellationToken);
        logger.LogInformation("Demo data seeded: {Cities} cities, {Categories} categories, {Items} items, {Packages} packages, {Workers} workers",
            DemoCatalog.Cities.Count, DemoCatalog.Categories.Count, DemoCatalog.Items.Count, DemoCatalog.Packages.Count, DemoWorkers.Count);
    }

    /// <summary>What the seed writes, hashed: the catalog documents and the demo workers' source data.</summary>
    internal static string Version()
    {
        var bytes = global::System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new DemoSeedContent(DemoCatalog.Cities, DemoCatalog.Categories, DemoCatalog.Items, DemoCatalog.Packages, DemoWorkers.Fingerprint),
            VersionOptions);
        return Convert.ToHexString(global::System.Security.Cryptography.SHA256.HashData(bytes))[..16];
    }

    public static async Task SeedAsync(CatalogStore store, CancellationToken ct)
    {
        foreach (var city in DemoCatalog.Cities)
        {
            await store.UpsertAsync(CityDocument.Kind, city, ct);
        }

        foreach (var category in DemoCatalog.Categories)
        {
            await store.UpsertAsync(CategoryDocument.Kind, category, ct);
        }

        foreach (var item in DemoCatalog.Items)
        {
            await store.UpsertAsync(ItemDocument.Kind, item, ct);
        }

        foreach (var package in DemoCatalog.Packages)
        {
            await store.UpsertAsync(PackageDocument.Kind, package, ct);
        }
    }
}
