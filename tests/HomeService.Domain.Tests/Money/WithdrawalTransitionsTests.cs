using HomeService.Domain.Money;
using static HomeService.Domain.Money.WithdrawalStatus;

namespace HomeService.Domain.Tests.Money;

public class WithdrawalTransitionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private static WithdrawalState Run(WithdrawalState state, params WithdrawalCommand[] commands)
    {
        foreach (var command in commands)
        {
            var decision = WithdrawalTransitions.Decide(command, state);
            Assert.Null(decision.Error);
            if (decision.Event is not null) state = WithdrawalTransitions.Evolve(state, decision.Event);
        }
        return state;
    }

    private static WithdrawalState Approved() =>
        Run(WithdrawalState.New, new CompleteReservation(true, Now), new ApproveWithdrawal("admin", Now));

    [Fact]
    public void Requested_approved_claimed_and_paid_ends_paid_on_attempt_one()
    {
        var state = Run(Approved(), new ClaimPayout("run-1", Lease, Now), new RecordPayoutSucceeded(1, "ref-1", Now));

        Assert.Equal(new WithdrawalState(Paid, 1, null, Now), state);
    }

    [Fact]
    public void Reservation_the_wallet_could_not_cover_is_refused_and_stays_refused()
    {
        var state = Run(WithdrawalState.New, new CompleteReservation(false, Now), new CompleteReservation(false, Now));

        Assert.Equal(Refused, state.Status);
        Assert.True(state.IsFinal);
    }

    [Fact]
    public void Approving_twice_is_a_no_op_and_rejecting_an_approved_one_names_the_state()
    {
        var approved = Approved();

        Assert.True(WithdrawalTransitions.Decide(new ApproveWithdrawal("admin", Now), approved).IsNoOp);
        var error = WithdrawalTransitions.Decide(new RejectWithdrawal("admin", "no", Now), approved).Error;
        Assert.Equal(new WithdrawalTransitionError(WithdrawalStatus.Approved, "reject", WithdrawalTransitionError.NotAllowedInState), error);
    }

    [Theory]
    [InlineData(Reserving)]
    [InlineData(Refused)]
    [InlineData(Paying)]
    [InlineData(Paid)]
    [InlineData(Rejected)]
    [InlineData(Abandoned)]
    public void Only_requested_withdrawals_can_be_approved(WithdrawalStatus status)
    {
        var decision = WithdrawalTransitions.Decide(new ApproveWithdrawal("admin", Now), new WithdrawalState(status, 1, "c", Now));

        Assert.Equal(status, decision.Error!.CurrentStatus);
    }

    [Fact]
    public void A_claim_held_within_its_lease_cannot_be_taken_and_the_same_claim_is_a_no_op()
    {
        var paying = Run(Approved(), new ClaimPayout("run-1", Lease, Now));

        Assert.Equal(WithdrawalTransitionError.ClaimHeld,
            WithdrawalTransitions.Decide(new ClaimPayout("run-2", Lease, Now + TimeSpan.FromMinutes(9)), paying).Error!.Code);
        Assert.True(WithdrawalTransitions.Decide(new ClaimPayout("run-1", Lease, Now), paying).IsNoOp);
    }

    [Fact]
    public void An_expired_claim_is_taken_over_for_the_same_attempt_never_a_new_one()
    {
        var paying = Run(Approved(), new ClaimPayout("run-1", Lease, Now));

        var takeover = WithdrawalTransitions.Decide(new ClaimPayout("run-2", Lease, Now + Lease), paying).Event;

        Assert.Equal(new PayoutClaimed("run-2", 1, true, Now + Lease), takeover);
    }

    [Fact]
    public void Retryable_failures_are_retried_with_a_new_attempt_until_the_maximum_then_given_up()
    {
        var state = Approved();
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            state = Run(state, new ClaimPayout($"run-{attempt}", Lease, Now), new RecordPayoutFailed(attempt, "bank down", true, 3, Now));
            Assert.Equal(new WithdrawalState(Failed, attempt, null, Now), state);
        }

        state = Run(state, new ClaimPayout("run-3", Lease, Now), new RecordPayoutFailed(3, "bank down", true, 3, Now));

        Assert.Equal(Abandoned, state.Status);
        Assert.Equal(3, state.Attempt);
    }

    [Fact]
    public void A_non_retryable_failure_is_given_up_at_once()
    {
        var state = Run(Approved(), new ClaimPayout("run-1", Lease, Now), new RecordPayoutFailed(1, "closed account", false, 3, Now));

        Assert.Equal(Abandoned, state.Status);
    }

    [Fact]
    public void A_repeated_result_changes_nothing_and_a_result_for_another_attempt_is_refused()
    {
        var paid = Run(Approved(), new ClaimPayout("run-1", Lease, Now), new RecordPayoutSucceeded(1, "ref-1", Now));

        Assert.True(WithdrawalTransitions.Decide(new RecordPayoutSucceeded(1, "ref-1", Now), paid).IsNoOp);
        Assert.Equal(WithdrawalTransitionError.WrongAttempt, WithdrawalTransitions.Decide(new RecordPayoutSucceeded(2, "ref-2", Now), paid).Error!.Code);
        Assert.Equal(WithdrawalTransitionError.NotAllowedInState, WithdrawalTransitions.Decide(new ClaimPayout("run-9", Lease, Now), paid).Error!.Code);
    }

    [Fact]
    public void A_pending_transfer_awaits_confirmation_without_a_claim_and_then_ends_its_own_attempt()
    {
        var awaiting = Run(Approved(), new ClaimPayout("run-1", Lease, Now), new RecordPayoutPending(1, "bill-1", null, Now));

        Assert.Equal(new WithdrawalState(AwaitingConfirmation, 1, null, Now), awaiting);
        Assert.True(WithdrawalTransitions.Decide(new RecordPayoutPending(1, "bill-1", null, Now), awaiting).IsNoOp);
        // Never claimed again: only asking the provider settles it, so it cannot be paid a second time.
        Assert.Equal(WithdrawalTransitionError.NotAllowedInState, WithdrawalTransitions.Decide(new ClaimPayout("run-2", Lease, Now.AddDays(7)), awaiting).Error!.Code);
        Assert.Equal(WithdrawalTransitionError.NotAllowedInState, WithdrawalTransitions.Decide(new RejectWithdrawal("admin", "no", Now), awaiting).Error!.Code);
        Assert.Equal(WithdrawalTransitionError.WrongAttempt, WithdrawalTransitions.Decide(new RecordPayoutSucceeded(2, "bill-2", Now), awaiting).Error!.Code);
        Assert.Equal(Paid, Run(awaiting, new RecordPayoutSucceeded(1, "bill-1", Now)).Status);
        Assert.Equal(Abandoned, Run(awaiting, new RecordPayoutFailed(1, "user did not confirm", false, 3, Now)).Status);
        Assert.Equal(Failed, Run(awaiting, new RecordPayoutFailed(1, "not enough", true, 3, Now)).Status);
    }
}
