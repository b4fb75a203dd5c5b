using HomeService.Domain.Workers;
using static HomeService.Domain.Workers.AuditState;

namespace HomeService.Domain.Tests.Workers;

public class AuditTransitionsTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = T0.AddHours(2);
    private const string AdminId = "admin-1";

    private static AuditRecord In(AuditState status) => new(status, SubmittedAt: T0);

    private static readonly AuditCommand[] EveryCommand =
    [
        new Submit(Later), new Approve(AdminId, Later), new Reject(AdminId, "照片不清晰", Later),
        new Suspend(AdminId, "投诉过多", Later), new Reinstate(AdminId, Later), new Ban(AdminId, "伪造证件", Later),
    ];

    public static TheoryData<AuditState, AuditCommand, AuditState> Allowed => new()
    {
        { Registered, new Submit(Later), Submitted },
        { Rejected, new Submit(Later), Submitted },
        { Submitted, new Approve(AdminId, Later), Approved },
        { Submitted, new Reject(AdminId, "照片不清晰", Later), Rejected },
        { Approved, new Suspend(AdminId, "投诉过多", Later), Suspended },
        { Suspended, new Reinstate(AdminId, Later), Approved },
        { Registered, new Ban(AdminId, "伪造证件", Later), Banned },
        { Submitted, new Ban(AdminId, "伪造证件", Later), Banned },
        { Approved, new Ban(AdminId, "伪造证件", Later), Banned },
        { Rejected, new Ban(AdminId, "伪造证件", Later), Banned },
        { Suspended, new Ban(AdminId, "伪造证件", Later), Banned },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Every_listed_transition_leads_to_its_target(AuditState from, AuditCommand command, AuditState to)
    {
        var decision = AuditTransitions.Decide(command, In(from));

        Assert.False(decision.IsError);
        Assert.Equal(to, decision.Next!.Status);
    }

    [Fact]
    public void Every_pair_not_listed_is_refused_naming_the_current_state_unless_already_applied()
    {
        foreach (var from in Enum.GetValues<AuditState>())
        {
            foreach (var command in EveryCommand)
            {
                var listed = AuditTransitions.All.Any(t => t.From == from && t.Command == command.GetType());
                var decision = AuditTransitions.Decide(command, In(from));
                if (listed)
                {
                    continue;
                }

                var alreadyApplied = AuditTransitions.All.Any(t => t.Command == command.GetType() && t.To == from) && command is not Reinstate;
                if (alreadyApplied)
                {
                    Assert.True(decision.IsNoOp, $"{command.Name} in {from} should be a no-op");
                }
                else
                {
                    Assert.True(decision.IsError, $"{command.Name} in {from} should be refused");
                    Assert.Equal(from, decision.Error!.Current);
                    Assert.Equal(AuditError.NotAllowedInState, decision.Error.Code);
                    Assert.Equal(AuditErrorKind.Conflict, decision.Error.Kind);
                }
            }
        }
    }

    [Fact]
    public void Approving_records_the_reviewer_and_time_and_clears_an_earlier_rejection_reason()
    {
        var resubmitted = AuditTransitions.Decide(new Submit(T0), new AuditRecord(Rejected, "照片不清晰", T0.AddDays(-1), T0.AddDays(-1), "admin-0")).Next!;
        Assert.Equal(Submitted, resubmitted.Status);
        Assert.Null(resubmitted.Reason);
        Assert.Equal(T0, resubmitted.SubmittedAt);

        var approved = AuditTransitions.Decide(new Approve(AdminId, Later), resubmitted).Next!;

        Assert.Equal(new AuditRecord(Approved, null, T0, Later, AdminId), approved);
    }

    [Fact]
    public void Rejecting_keeps_the_reason_for_the_applicant()
    {
        var rejected = AuditTransitions.Decide(new Reject(AdminId, "  身份证背面模糊 ", Later), In(Submitted)).Next!;

        Assert.Equal(Rejected, rejected.Status);
        Assert.Equal("身份证背面模糊", rejected.Reason);
        Assert.Equal(AdminId, rejected.ReviewedBy);
        Assert.Equal(Later, rejected.ReviewedAt);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Reject_suspend_and_ban_need_a_reason(string? reason)
    {
        AuditCommand[] commands = [new Reject(AdminId, reason!, Later), new Suspend(AdminId, reason!, Later), new Ban(AdminId, reason!, Later)];
        foreach (var command in commands)
        {
            var decision = AuditTransitions.Decide(command, In(Approved));
            Assert.Equal(AuditError.ReasonRequired, decision.Error!.Code);
            Assert.Equal(AuditErrorKind.Invalid, decision.Error.Kind);
        }
    }

    [Fact]
    public void A_reason_longer_than_the_limit_is_refused()
    {
        var decision = AuditTransitions.Decide(new Reject(AdminId, new string('很', AuditTransitions.MaxReasonLength + 1), Later), In(Submitted));

        Assert.Equal(AuditError.ReasonTooLong, decision.Error!.Code);
    }

    [Fact]
    public void Approving_twice_changes_nothing_and_keeps_the_first_reviewer()
    {
        var approved = AuditTransitions.Decide(new Approve("admin-first", T0), In(Submitted)).Next!;

        var again = AuditTransitions.Decide(new Approve("admin-second", Later), approved);

        Assert.True(again.IsNoOp);
    }

    [Fact]
    public void Reinstating_an_approved_worker_is_refused_because_nothing_was_suspended()
    {
        var decision = AuditTransitions.Decide(new Reinstate(AdminId, Later), In(Approved));

        Assert.Equal(Approved, decision.Error!.Current);
        Assert.Equal(nameof(Reinstate), decision.Error.Command);
    }

    [Fact]
    public void A_banned_account_cannot_come_back()
    {
        foreach (var command in EveryCommand.Where(c => c is not Ban))
        {
            Assert.Equal(Banned, AuditTransitions.Decide(command, In(Banned)).Error!.Current);
        }
    }
}
