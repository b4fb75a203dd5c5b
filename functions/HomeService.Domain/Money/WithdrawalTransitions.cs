namespace HomeService.Domain.Money;

/// <summary>
/// Where a withdrawal (提现) is. <see cref="Reserving"/> is the intent record written before the wallet
/// is charged; <see cref="Refused"/> means the wallet could not cover it (nothing moved).
/// Money leaves the wallet on Reserving → Requested and comes back on Rejected or Abandoned.
/// <see cref="AwaitingConfirmation"/>: the provider accepted the transfer and holds it until the payee confirms
/// receipt (WeChat Pay transfer to balance) or it completes; the outcome is learnt by asking the provider.
/// </summary>
public enum WithdrawalStatus { Reserving, Refused, Requested, Approved, Paying, Paid, Failed, Rejected, Abandoned, AwaitingConfirmation }

/// <summary>The part of a withdrawal the transitions look at. <see cref="Attempt"/> numbers payout attempts from 1.</summary>
public sealed record WithdrawalState(WithdrawalStatus Status, int Attempt = 0, string? ClaimId = null, DateTimeOffset? ClaimedAt = null)
{
    public static WithdrawalState New { get; } = new(WithdrawalStatus.Reserving);

    public bool IsFinal => Status is WithdrawalStatus.Refused or WithdrawalStatus.Paid or WithdrawalStatus.Rejected or WithdrawalStatus.Abandoned;
}

public abstract record WithdrawalCommand(DateTimeOffset Now);
/// <summary>The wallet was charged (or could not be).</summary>
public sealed record CompleteReservation(bool Reserved, DateTimeOffset Now) : WithdrawalCommand(Now);
public sealed record ApproveWithdrawal(string AdminId, DateTimeOffset Now) : WithdrawalCommand(Now);
public sealed record RejectWithdrawal(string AdminId, string Reason, DateTimeOffset Now) : WithdrawalCommand(Now);
/// <summary>A payout run takes the withdrawal before calling the provider; a claim older than <paramref name="Lease"/> may be taken over.</summary>
public sealed record ClaimPayout(string ClaimId, TimeSpan Lease, DateTimeOffset Now) : WithdrawalCommand(Now);
public sealed record RecordPayoutSucceeded(int Attempt, string ProviderReference, DateTimeOffset Now) : WithdrawalCommand(Now);
public sealed record RecordPayoutFailed(int Attempt, string Reason, bool Retryable, int MaxAttempts, DateTimeOffset Now) : WithdrawalCommand(Now);
/// <summary>The provider accepted the attempt but its outcome is pending (e.g. on the payee's confirmation). <paramref name="Confirmation"/> is opaque here: what the payee's app needs to confirm.</summary>
public sealed record RecordPayoutPending(int Attempt, string ProviderReference, IReadOnlyDictionary<string, string>? Confirmation, DateTimeOffset Now) : WithdrawalCommand(Now);

public abstract record WithdrawalEvent(DateTimeOffset At);
public sealed record WithdrawalReserved(DateTimeOffset At) : WithdrawalEvent(At);
public sealed record WithdrawalRefused(DateTimeOffset At) : WithdrawalEvent(At);
public sealed record WithdrawalApproved(string AdminId, DateTimeOffset At) : WithdrawalEvent(At);
public sealed record WithdrawalRejectedByAdmin(string AdminId, string Reason, DateTimeOffset At) : WithdrawalEvent(At);
/// <summary><paramref name="Takeover"/>: the previous claim's lease ran out; the same attempt is reconciled, not paid anew.</summary>
public sealed record PayoutClaimed(string ClaimId, int Attempt, bool Takeover, DateTimeOffset At) : WithdrawalEvent(At);
public sealed record PayoutPaid(int Attempt, string ProviderReference, DateTimeOffset At) : WithdrawalEvent(At);
public sealed record PayoutAttemptFailed(int Attempt, string Reason, DateTimeOffset At) : WithdrawalEvent(At);
public sealed record PayoutGivenUp(int Attempt, string Reason, DateTimeOffset At) : WithdrawalEvent(At);
public sealed record PayoutAwaitingConfirmation(int Attempt, string ProviderReference, IReadOnlyDictionary<string, string>? Confirmation, DateTimeOffset At) : WithdrawalEvent(At);

/// <summary>Why a command was refused, naming the state it met.</summary>
public sealed record WithdrawalTransitionError(WithdrawalStatus CurrentStatus, string Command, string Code)
{
    public const string NotAllowedInState = "withdrawal_state";
    public const string ClaimHeld = "payout_claim_held";
    public const string WrongAttempt = "payout_wrong_attempt";
}

/// <summary>No event and no error: the command was already applied (a redelivery or a second timer run).</summary>
public sealed record WithdrawalDecision(WithdrawalEvent? Event, WithdrawalTransitionError? Error)
{
    public static WithdrawalDecision NoChange { get; } = new(null, null);
    public bool IsNoOp => Event is null && Error is null;
}

/// <summary>
/// The withdrawal lifecycle as a pure decider:
/// Reserving → Requested | Refused; Requested → Approved | Rejected; Approved | Failed → Paying (claim);
/// Paying → Paid | Failed | Abandoned (retries exhausted or not retryable) | AwaitingConfirmation (the provider holds
/// the transfer), which ends the same attempt as Paid | Failed | Abandoned. A payout attempt number only
/// grows after a definite failure, and the provider's idempotency key is withdrawal id + attempt, so one
/// withdrawal can be paid at most once.
/// </summary>
public static class WithdrawalTransitions
{
    public static WithdrawalDecision Decide(WithdrawalCommand command, WithdrawalState state)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        var s = state.Status;
        return (command, s) switch
        {
            (CompleteReservation c, WithdrawalStatus.Reserving) => Of(c.Reserved ? new WithdrawalReserved(c.Now) : new WithdrawalRefused(c.Now)),
            (CompleteReservation c, WithdrawalStatus.Refused) when !c.Reserved => WithdrawalDecision.NoChange,
            (CompleteReservation c, _) when c.Reserved && s != WithdrawalStatus.Refused => WithdrawalDecision.NoChange,

            (ApproveWithdrawal c, WithdrawalStatus.Requested) => Of(new WithdrawalApproved(c.AdminId, c.Now)),
            (ApproveWithdrawal, WithdrawalStatus.Approved) => WithdrawalDecision.NoChange,

            (RejectWithdrawal c, WithdrawalStatus.Requested) => Of(new WithdrawalRejectedByAdmin(c.AdminId, c.Reason, c.Now)),
            (RejectWithdrawal, WithdrawalStatus.Rejected) => WithdrawalDecision.NoChange,

            (ClaimPayout c, WithdrawalStatus.Approved or WithdrawalStatus.Failed) => Of(new PayoutClaimed(c.ClaimId, state.Attempt + 1, false, c.Now)),
            (ClaimPayout c, WithdrawalStatus.Paying) when state.ClaimId == c.ClaimId => WithdrawalDecision.NoChange,
            (ClaimPayout c, WithdrawalStatus.Paying) when state.ClaimedAt is { } at && at + c.Lease <= c.Now =>
                Of(new PayoutClaimed(c.ClaimId, state.Attempt, true, c.Now)),
            (ClaimPayout, WithdrawalStatus.Paying) => Refuse(state, command, WithdrawalTransitionError.ClaimHeld),

            (RecordPayoutSucceeded c, WithdrawalStatus.Paying or WithdrawalStatus.AwaitingConfirmation) when c.Attempt == state.Attempt =>
                Of(new PayoutPaid(c.Attempt, c.ProviderReference, c.Now)),
            (RecordPayoutSucceeded c, WithdrawalStatus.Paid) when c.Attempt == state.Attempt => WithdrawalDecision.NoChange,
            (RecordPayoutSucceeded, WithdrawalStatus.Paying or WithdrawalStatus.AwaitingConfirmation or WithdrawalStatus.Paid) =>
                Refuse(state, command, WithdrawalTransitionError.WrongAttempt),

            (RecordPayoutFailed c, WithdrawalStatus.Paying or WithdrawalStatus.AwaitingConfirmation) when c.Attempt == state.Attempt =>
                Of(c.Retryable && c.Attempt < c.MaxAttempts
                    ? new PayoutAttemptFailed(c.Attempt, c.Reason, c.Now)
                    : new PayoutGivenUp(c.Attempt, c.Reason, c.Now)),
            (RecordPayoutFailed c, WithdrawalStatus.Failed or WithdrawalStatus.Abandoned) when c.Attempt == state.Attempt => WithdrawalDecision.NoChange,
            (RecordPayoutFailed, WithdrawalStatus.Paying or WithdrawalStatus.AwaitingConfirmation or WithdrawalStatus.Failed or WithdrawalStatus.Abandoned) =>
                Refuse(state, command, WithdrawalTransitionError.WrongAttempt),

            (RecordPayoutPending c, WithdrawalStatus.Paying) when c.Attempt == state.Attempt =>
                Of(new PayoutAwaitingConfirmation(c.Attempt, c.ProviderReference, c.Confirmation, c.Now)),
            (RecordPayoutPending c, WithdrawalStatus.AwaitingConfirmation) when c.Attempt == state.Attempt => WithdrawalDecision.NoChange,
            (RecordPayoutPending, WithdrawalStatus.Paying or WithdrawalStatus.AwaitingConfirmation) => Refuse(state, command, WithdrawalTransitionError.WrongAttempt),

            _ => Refuse(state, command, WithdrawalTransitionError.NotAllowedInState),
        };
    }

    public static WithdrawalState Evolve(WithdrawalState state, WithdrawalEvent @event) => @event switch
    {
        WithdrawalReserved => state with { Status = WithdrawalStatus.Requested },
        WithdrawalRefused => state with { Status = WithdrawalStatus.Refused },
        WithdrawalApproved => state with { Status = WithdrawalStatus.Approved },
        WithdrawalRejectedByAdmin => state with { Status = WithdrawalStatus.Rejected },
        PayoutClaimed e => state with { Status = WithdrawalStatus.Paying, Attempt = e.Attempt, ClaimId = e.ClaimId, ClaimedAt = e.At },
        PayoutPaid => state with { Status = WithdrawalStatus.Paid, ClaimId = null },
        PayoutAttemptFailed => state with { Status = WithdrawalStatus.Failed, ClaimId = null },
        PayoutGivenUp => state with { Status = WithdrawalStatus.Abandoned, ClaimId = null },
        // The claim ends: the provider holds the transfer, and only asking it (never paying again) settles this attempt.
        PayoutAwaitingConfirmation => state with { Status = WithdrawalStatus.AwaitingConfirmation, ClaimId = null },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event, "Unknown withdrawal event."),
    };

    private static WithdrawalDecision Of(WithdrawalEvent @event) => new(@event, null);

    private static WithdrawalDecision Refuse(WithdrawalState state, WithdrawalCommand command, string code) =>
        new(null, new WithdrawalTransitionError(state.Status, Name(command), code));

    private static string Name(WithdrawalCommand command) => command switch
    {
        CompleteReservation => "complete-reservation",
        ApproveWithdrawal => "approve",
        RejectWithdrawal => "reject",
        ClaimPayout => "claim-payout",
        RecordPayoutSucceeded => "record-payout-succeeded",
        RecordPayoutFailed => "record-payout-failed",
        RecordPayoutPending => "record-payout-pending",
        _ => command.GetType().Name,
    };
}
