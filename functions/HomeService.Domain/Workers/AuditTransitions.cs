namespace HomeService.Domain.Workers;

/// <summary>Onboarding audit states (审核) of a worker or a merchant.</summary>
public enum AuditState { Registered, Submitted, Approved, Rejected, Suspended, Banned }

/// <summary>A request to move an application through the audit; every command carries its instant.</summary>
public abstract record AuditCommand(DateTimeOffset Now)
{
    public string Name => GetType().Name;
}

public sealed record Submit(DateTimeOffset Now) : AuditCommand(Now);

public sealed record Approve(string AdminId, DateTimeOffset Now) : AuditCommand(Now);

public sealed record Reject(string AdminId, string Reason, DateTimeOffset Now) : AuditCommand(Now);

public sealed record Suspend(string AdminId, string Reason, DateTimeOffset Now) : AuditCommand(Now);

public sealed record Reinstate(string AdminId, DateTimeOffset Now) : AuditCommand(Now);

public sealed record Ban(string AdminId, string Reason, DateTimeOffset Now) : AuditCommand(Now);

/// <summary>The audit part of an application: where it stands and who decided last, why.</summary>
public sealed record AuditRecord(
    AuditState Status, string? Reason = null, DateTimeOffset? SubmittedAt = null, DateTimeOffset? ReviewedAt = null, string? ReviewedBy = null)
{
    public static AuditRecord New => new(AuditState.Registered);
}

public enum AuditErrorKind
{
    /// <summary>The command is not allowed in the current state: 409 naming it.</summary>
    Conflict,
    /// <summary>The command's own data is missing or wrong (e.g. no reason): 400.</summary>
    Invalid,
}

public sealed record AuditError(AuditState Current, string Command, string Code, AuditErrorKind Kind)
{
    public const string NotAllowedInState = "audit_not_allowed";
    public const string ReasonRequired = "reason_required";
    public const string ReasonTooLong = "reason_too_long";
}

/// <summary>
/// The result of <see cref="AuditTransitions.Decide"/>: the next record, or no change (the command was
/// already applied), or an error.
/// </summary>
public sealed record AuditDecision(AuditRecord? Next, AuditError? Error)
{
    public static AuditDecision NoChange { get; } = new(null, null);

    public bool IsError => Error is not null;

    public bool IsNoOp => Next is null && Error is null;
}

/// <summary>
/// The onboarding audit as data. A command repeated in the state it leads to (approve an approved
/// application, ban a banned one…) is already applied and changes nothing, so a retried admin request
/// or a second admin clicking the same button gets the current state back; the first decision's
/// reviewer and reason stand. Any other pair not listed is refused naming the current state.
/// </summary>
public static class AuditTransitions
{
    public const int MaxReasonLength = 500;

    public static IReadOnlyList<(AuditState From, Type Command, AuditState To)> All { get; } =
    [
        (AuditState.Registered, typeof(Submit), AuditState.Submitted),
        (AuditState.Rejected, typeof(Submit), AuditState.Submitted),
        (AuditState.Submitted, typeof(Approve), AuditState.Approved),
        (AuditState.Submitted, typeof(Reject), AuditState.Rejected),
        (AuditState.Approved, typeof(Suspend), AuditState.Suspended),
        (AuditState.Suspended, typeof(Reinstate), AuditState.Approved),
        (AuditState.Registered, typeof(Ban), AuditState.Banned),
        (AuditState.Submitted, typeof(Ban), AuditState.Banned),
        (AuditState.Approved, typeof(Ban), AuditState.Banned),
        (AuditState.Rejected, typeof(Ban), AuditState.Banned),
        (AuditState.Suspended, typeof(Ban), AuditState.Banned),
    ];

    public static AuditDecision Decide(AuditCommand command, AuditRecord current)
    {
        var reason = command switch
        {
            Reject r => r.Reason,
            Suspend s => s.Reason,
            Ban b => b.Reason,
            _ => null,
        };
        if (command is Reject or Suspend or Ban && string.IsNullOrWhiteSpace(reason))
        {
            return Fail(current, command, AuditError.ReasonRequired, AuditErrorKind.Invalid);
        }

        if (reason is { Length: > MaxReasonLength })
        {
            return Fail(current, command, AuditError.ReasonTooLong, AuditErrorKind.Invalid);
        }

        if (IsAlreadyApplied(command, current.Status))
        {
            return AuditDecision.NoChange;
        }

        var to = All.Where(t => t.From == current.Status && t.Command == command.GetType()).Select(t => (AuditState?)t.To).FirstOrDefault();
        if (to is null)
        {
            return Fail(current, command, AuditError.NotAllowedInState, AuditErrorKind.Conflict);
        }

        var next = command switch
        {
            Submit s => current with { Status = to.Value, SubmittedAt = s.Now, Reason = null },
            Approve a => current with { Status = to.Value, Reason = null, ReviewedAt = a.Now, ReviewedBy = a.AdminId },
            Reject r => current with { Status = to.Value, Reason = r.Reason.Trim(), ReviewedAt = r.Now, ReviewedBy = r.AdminId },
            Suspend s => current with { Status = to.Value, Reason = s.Reason.Trim(), ReviewedAt = s.Now, ReviewedBy = s.AdminId },
            Reinstate r => current with { Status = to.Value, Reason = null, ReviewedAt = r.Now, ReviewedBy = r.AdminId },
            Ban b => current with { Status = to.Value, Reason = b.Reason.Trim(), ReviewedAt = b.Now, ReviewedBy = b.AdminId },
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.Name, "Unknown audit command."),
        };
        return new AuditDecision(next, null);
    }

    private static bool IsAlreadyApplied(AuditCommand command, AuditState status) => (command, status) switch
    {
        (Submit, AuditState.Submitted) => true,
        (Approve, AuditState.Approved) => true,
        (Reject, AuditState.Rejected) => true,
        (Suspend, AuditState.Suspended) => true,
        (Ban, AuditState.Banned) => true,
        _ => false,
    };

    private static AuditDecision Fail(AuditRecord current, AuditCommand command, string code, AuditErrorKind kind) =>
        new(null, new AuditError(current.Status, command.Name, code, kind));
}
