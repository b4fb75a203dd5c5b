using System.Globalization;
using System.Text;
using HomeService.Domain.Common;

namespace HomeService.Benchmarks.Simulation;

/// <summary>One policy's day in figures.</summary>
public sealed record PolicyFigures(
    string Policy, double FulfilmentPct, double ManualPct, double TravelKm, double KmPerJob, double? AcceptP50Min, double? AcceptP95Min,
    double HoursGini, double IncomeP10, double IncomeP50, double IncomeP90, double? DecisionP50Ms, double? DecisionP99Ms, double? RankP99Ms, double? CpuMsPerDecision);

public static class DispatchReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static PolicyFigures Of(CityDay day, OnlineResult run)
    {
        var served = run.Outcomes.Where(o => o.WorkerIndex is not null).ToList();
        var jobs = served.Select(o => (Worker: o.WorkerIndex!.Value, o.Order, Start: o.Start!.Value)).ToList();
        var accept = served.Select(o => (o.AcceptedAt!.Value - o.Order.BookedAt).TotalMinutes).ToList();
        return Figures(day, run.Policy, jobs, accept, run.Outcomes.Count(o => o.ReachedManual), run.DecisionMs, run.RankMs) with { CpuMsPerDecision = run.CpuMsPerDecision };
    }

    public static PolicyFigures Of(CityDay day, OfflineResult offline) =>
        Figures(day, "offline optimum (OR-Tools min-cost flow)",
            [.. offline.Chains.SelectMany(c => c.Orders.Select(j => (c.Worker, day.Orders[j], day.Orders[j].Start)))], [], 0, [], [], offline.TravelKm);

    private static PolicyFigures Figures(
        CityDay day, string policy, List<(int Worker, SimOrder Order, DateTimeOffset Start)> jobs, List<double> acceptMinutes, int manual,
        IReadOnlyList<double> decisionMs, IReadOnlyList<double> rankMs, double? travelKm = null)
    {
        var n = day.Orders.Count;
        var working = day.Workers.Where(w => w.Domain.Plan.Days.Any(d => d.Day == day.Date.DayOfWeek)).Select(w => w.Index).ToList();
        var hours = new double[day.Workers.Count];
        var income = new double[day.Workers.Count];
        double km = 0;
        foreach (var byWorker in jobs.GroupBy(j => j.Worker))
        {
            var at = day.Workers[byWorker.Key].Domain.HomeBase;
            foreach (var job in byWorker.OrderBy(j => j.Start))
            {
                km += CityDay.RoadKm(at, job.Order.Location);
                at = job.Order.Location;
                hours[byWorker.Key] += job.Order.Item.Spec.DurationMinutes / 60.0;
                income[byWorker.Key] += job.Order.Item.PriceFen * (1 - CityDay.CommissionRate) / 100;
            }
        }

        km = travelKm ?? km;
        var incomes = working.Select(w => income[w]).Order().ToList();
        return new PolicyFigures(policy, 100.0 * jobs.Count / n, 100.0 * manual / n, km, jobs.Count == 0 ? 0 : km / jobs.Count,
            Quantile(acceptMinutes, 0.5), Quantile(acceptMinutes, 0.95), Gini([.. working.Select(w => hours[w])]),
            Quantile(incomes, 0.1) ?? 0, Quantile(incomes, 0.5) ?? 0, Quantile(incomes, 0.9) ?? 0,
            Quantile(decisionMs, 0.5), Quantile(decisionMs, 0.99), Quantile(rankMs, 0.99), null);
    }

    /// <summary>Gini coefficient: 0 = everyone the same, 1 = one has everything.</summary>
    public static double Gini(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var total = sorted.Sum();
        if (sorted.Length == 0 || total == 0) return 0;
        double weighted = 0;
        for (var i = 0; i < sorted.Length; i++) weighted += (i + 1) * sorted[i];
        return 2 * weighted / (sorted.Length * total) - (sorted.Length + 1.0) / sorted.Length;
    }

    /// <summary>Nearest-rank quantile; null for no values.</summary>
    public static double? Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static string Csv(IReadOnlyList<PolicyFigures> rows)
    {
        var sb = new StringBuilder("policy,fulfilment_pct,manual_pct,travel_km,km_per_job,accept_p50_min,accept_p95_min,hours_gini,income_p10_yuan,income_p50_yuan,income_p90_yuan,decision_p50_ms,decision_p99_ms,ranking_p99_ms,cpu_ms_per_decision\n");
        foreach (var r in rows)
        {
            sb.AppendLine(string.Join(',', $"\"{r.Policy}\"", F(r.FulfilmentPct, 2), F(r.ManualPct, 2), F(r.TravelKm, 1), F(r.KmPerJob, 3),
                F(r.AcceptP50Min, 2), F(r.AcceptP95Min, 2), F(r.HoursGini, 4), F(r.IncomeP10, 0), F(r.IncomeP50, 0), F(r.IncomeP90, 0),
                F(r.DecisionP50Ms, 3), F(r.DecisionP99Ms, 3), F(r.RankP99Ms, 3), F(r.CpuMsPerDecision, 3)));
        }

        return sb.ToString();
    }

    /// <summary>The markdown table of docs/PERFORMANCE.md, with travel compared to the optimum and to plain greedy.</summary>
    public static string Markdown(IReadOnlyList<PolicyFigures> rows, PolicyFigures optimum, PolicyFigures greedy)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| Policy | Fulfilled | Manual | Travel km (per job) | vs optimum | vs greedy | Accept p50 / p95 min | Gini hours | Income p10 / p50 / p90 ¥ | Decision p50 / p99 ms (ranking p99) | CPU ms / decision |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            sb.AppendLine(Inv, $"| {r.Policy} | {F(r.FulfilmentPct, 1)} % | {F(r.ManualPct, 1)} % | {F(r.TravelKm, 0)} ({F(r.KmPerJob, 2)}) | " +
                $"{Pct(r.KmPerJob, optimum.KmPerJob)} | {Pct(r.KmPerJob, greedy.KmPerJob)} | {F(r.AcceptP50Min, 1)} / {F(r.AcceptP95Min, 1)} | " +
                $"{F(r.HoursGini, 3)} | {F(r.IncomeP10, 0)} / {F(r.IncomeP50, 0)} / {F(r.IncomeP90, 0)} | {F(r.DecisionP50Ms, 2)} / {F(r.DecisionP99Ms, 2)} ({F(r.RankP99Ms, 2)}) | {F(r.CpuMsPerDecision, 2)} |");
        }

        return sb.ToString();
    }

    /// <summary>Road km per served job and fulfilment per policy, side by side.</summary>
    public static void Chart(IReadOnlyList<PolicyFigures> rows, string path, string subtitle)
    {
        var plot = new ScottPlot.Plot();
        var bars = rows.Select((r, i) => new ScottPlot.Bar
        {
            Position = i, Value = r.KmPerJob, Label = $"{r.KmPerJob:0.00} km · {r.FulfilmentPct:0.0} % served",
            FillColor = ScottPlot.Colors.SteelBlue,
        }).ToList();
        var series = plot.Add.Bars(bars);
        series.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.SetTicks([.. rows.Select((_, i) => (double)i)], [.. rows.Select(r => Wrap(r.Policy))]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.YLabel("road km per served job (home → first job → next …)");
        plot.Title($"Dispatch policies over one simulated city day — {subtitle}");
        plot.SavePng(path, 1400, 650);
    }

    private static string Wrap(string s) => s.Replace(" (", "\n(", StringComparison.Ordinal);

    private static string Pct(double value, double reference) =>
        reference == 0 ? "—" : (value / reference - 1).ToString("+0.0 %;-0.0 %;0.0 %", Inv);

    private static string F(double? v, int digits) => v is { } x ? x.ToString("F" + digits, Inv) : "—";
}
