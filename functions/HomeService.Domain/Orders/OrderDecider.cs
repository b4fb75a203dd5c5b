using static HomeService.Domain.Orders.OrderStatus;
using Codes = HomeService.Domain.Orders.OrderErrorCodes;

namespace HomeService.Domain.Orders;

/// <summary>
/// The order lifecycle as a pure decider. The app reads the order document, calls
/// <see cref="Decide"/>, folds the events with <see cref="Evolve"/>, and writes state + events in one
/// ETag-conditional replace; a lost race re-reads and decides again.
/// </summary>
public static class OrderDecider
{
    public static OrderState InitialState => OrderState.Initial;

    public static DecisionResult Decide(OrderCommand command, OrderState state)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);

        // At-least-once delivery: a repeat of what already happened, or a timer for a moment that
        // has passed, changes nothing and is not an error.
        if (IsAlreadyApplied(command, state))
        {
            return DecisionResult.NoChange;
        }

        if (command is OrderTimerCommand timer && !IsTimerCurrent(timer, state))
        {
            return DecisionResult.NoChange;
        }

        if (!OrderTransitions.IsAllowed(state.Status, command.GetType()))
        {
            return Refuse(state, command, RefusalCode(command, state));
        }

        var result = DecideAllowed(command, state);
        if (!result.IsError)
        {
            EnsureListedInTable(command, state, result.Events);
        }

        return result;
    }

    public static OrderState Evolve(OrderState state, OrderEvent @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(@event);

        var next = @event switch
        {
            OrderPlaced e => state with
            {
                Id = e.Details.OrderId,
                CustomerId = e.Details.CustomerId,
                CityId = e.Details.CityId,
                ItemId = e.Details.ItemId,
                ScheduledStart = e.Details.ScheduledStart,
                ScheduledEnd = e.Details.ScheduledEnd,
                Address = e.Details.Address,
                PriceTotalFen = e.Details.PriceTotalFen,
                DispatchMode = e.Details.DispatchMode,
                DesignatedWorkerId = e.Details.DesignatedWorkerId,
                Timings = e.Timings,
                Status = PendingPayment,
                Deadlines = [new Deadline(TimerKind.PaymentTimeout, e.PaymentDueAt)],
            },
            PaymentConfirmed e => state with
            {
                Status = Dispatching,
                PaymentId = e.PaymentId,
                PaidFen = e.AmountFen,
                Deadlines = state.DispatchMode == DispatchMode.GrabPool
                    ? [.. Without(state.Deadlines, TimerKind.PaymentTimeout), new Deadline(TimerKind.GrabPoolExpiry, e.At + state.Timings.GrabPoolWindow)]
                    : Without(state.Deadlines, TimerKind.PaymentTimeout),
            },
            LatePaymentReceived e => state with { PaymentId = e.PaymentId, PaidFen = e.AmountFen },
            OrderClosedForNonPayment => state with { Status = Closed, Deadlines = [] },
            OfferMade e => state with
            {
                Status = Offered,
                OfferedToWorkerId = e.WorkerId,
                OfferRound = e.Round,
                Deadlines = [.. Without(state.Deadlines, TimerKind.OfferAcceptance), new Deadline(TimerKind.OfferAcceptance, e.AcceptBy)],
            },
            OfferAccepted e => Engage(state, e.WorkerId, e.At),
            OfferRejected e => Decline(state, e.WorkerId),
            OfferExpired e => Decline(state, e.WorkerId),
            EscalatedToManualDispatch => state with
            {
                Status = ManualDispatch,
                OfferedToWorkerId = null,
                Deadlines = Without(state.Deadlines, TimerKind.OfferAcceptance, TimerKind.GrabPoolExpiry),
            },
            OrderGrabbed e => Engage(state, e.WorkerId, e.At),
            WorkerAssignedByAdmin e => Engage(state, e.WorkerId, e.At),
            WorkerReassigned e => state with
            {
                Status = Accepted,
                CurrentWorkerId = e.NewWorkerId,
                LastKnownLocation = null,
                Eta = null,
            },
            OrderRescheduled e => Retimed(state with { ScheduledStart = e.NewStart, ScheduledEnd = e.NewEnd }, e.At),
            TripStarted e => state with { Status = OnTheWay, LastKnownLocation = e.Location, Eta = e.Eta },
            LocationUpdated e => state with { LastKnownLocation = e.Location, Eta = e.Eta },
            WorkerArrived => state with
            {
                Status = Arrived,
                Deadlines = Without(state.Deadlines, TimerKind.ReminderT24h, TimerKind.ReminderT2h),
            },
            ServiceStarted => state with { Status = InService },
            ServiceCompleted e => state with
            {
                Status = Completed,
                CompletedAt = e.At,
                CompletionPhotos = e.PhotoBlobNames,
                CompletionNotes = e.Notes,
                Deadlines =
                [
                    .. Without(state.Deadlines, TimerKind.ReminderT24h, TimerKind.ReminderT2h),
                    new Deadline(TimerKind.AutoConfirm, e.AutoConfirmAt),
                ],
            },
            OrderConfirmed e => state with
            {
                Status = Confirmed,
                ConfirmedAt = e.At,
                Deadlines = [.. Without(state.Deadlines, TimerKind.AutoConfirm), new Deadline(TimerKind.SettlementDue, e.SettlementDueAt)],
            },
            AfterSaleOpened => state with
            {
                Status = AfterSale,
                Deadlines = Without(state.Deadlines, TimerKind.AutoConfirm, TimerKind.SettlementDue),
            },
            AfterSaleResolved e => state with
            {
                Status = Confirmed,
                ConfirmedAt = state.ConfirmedAt ?? e.At,
                Deadlines = [.. state.Deadlines, new Deadline(TimerKind.SettlementDue, e.At)],
            },
            OrderCancelled e => state with
            {
                Status = Cancelled,
                CancelledAt = e.At,
                CancellationFeeFen = e.FeeFen,
                CurrentWorkerId = null,
                OfferedToWorkerId = null,
                Deadlines = [],
            },
            RefundRequested e => state with { Status = Refunding, RefundPendingFen = e.AmountFen, FailedRefundId = null },
            RefundCompleted e => RefundDone(state, e),
            RefundAttemptFailed e => state with { FailedRefundId = e.RefundId },
            SettlementBecameDue => state with
            {
                SettlementIsDue = true,
                Deadlines = Without(state.Deadlines, TimerKind.SettlementDue),
            },
            OrderSettled => state with { Status = Settled, Deadlines = [] },
            ReminderDue e => state with { Deadlines = Without(state.Deadlines, TimerOf(e.Kind)) },
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown order event."),
        };

        return next with { Version = state.Version + 1 };
    }

    /// <summary>Folds <paramref name="events"/> over <paramref name="state"/>.</summary>
    public static OrderState Evolve(OrderState state, IEnumerable<OrderEvent> events) =>
        events.Aggregate(state, Evolve);

    private static DecisionResult DecideAllowed(OrderCommand command, OrderState state) => command switch
    {
        Place c => DecidePlace(c),
        ConfirmPayment c => DecidePayment(c, state),
        PaymentTimedOut c => WhenDue(c, state, TimerKind.PaymentTimeout, () =>
            DecisionResult.Of(new OrderClosedForNonPayment(state.Id, c.Now))),
        Offer c => DecideOffer(c, state),
        Accept c => DecideAccept(c, state),
        Reject c => c.WorkerId != state.OfferedToWorkerId
            ? Refuse(state, c, Codes.NotOfferedToYou, OrderErrorKind.Forbidden)
            : WithEscalationIfLastRound(state, new OfferRejected(state.Id, c.WorkerId, state.OfferRound, c.Reason, c.Now)),
        OfferTimedOut c => WhenDue(c, state, TimerKind.OfferAcceptance, () =>
            WithEscalationIfLastRound(state, new OfferExpired(state.Id, c.WorkerId, c.Round, c.Now))),
        EscalateToManual c => DecisionResult.Of(new EscalatedToManualDispatch(state.Id, c.Reason, c.Now)),
        GrabPoolExpired c => WhenDue(c, state, TimerKind.GrabPoolExpiry, () => DecisionResult.Of(new EscalatedToManualDispatch(
            state.Id, $"nobody grabbed the order within {state.Timings.GrabPoolWindow.TotalMinutes:0} minutes", c.Now))),
        Grab c => state.DispatchMode != DispatchMode.GrabPool
            ? Refuse(state, c, Codes.NotInGrabPool)
            : DecisionResult.Of(new OrderGrabbed(state.Id, c.WorkerId, c.Now)),
        AssignByAdmin c => DecisionResult.Of(
            new WorkerAssignedByAdmin(state.Id, c.AdminId, c.WorkerId, state.OfferedToWorkerId, c.Now)),
        Reassign c => DecisionResult.Of(
            new WorkerReassigned(state.Id, c.AdminId, state.CurrentWorkerId!, c.NewWorkerId, c.Reason, c.Now)),
        Reschedule c => c.NewEnd <= c.NewStart
            ? Refuse(state, c, Codes.InvalidSchedule, OrderErrorKind.Invalid)
            : DecisionResult.Of(new OrderRescheduled(state.Id, c.By, state.ScheduledStart, c.NewStart, c.NewEnd, c.Now)),
        StartTrip c => ByCurrentWorker(c, state, c.WorkerId, () =>
            new TripStarted(state.Id, c.WorkerId, c.Location, c.Eta, c.Now)),
        UpdateLocation c => ByCurrentWorker(c, state, c.WorkerId, () =>
            new LocationUpdated(state.Id, c.WorkerId, c.Location, c.Eta, c.Now)),
        Arrive c => ByCurrentWorker(c, state, c.WorkerId, () => new WorkerArrived(state.Id, c.WorkerId, c.Now, c.Evidence)),
        StartService c => ByCurrentWorker(c, state, c.WorkerId, () => new ServiceStarted(state.Id, c.WorkerId, c.Now, c.Evidence)),
        Complete c => ByCurrentWorker(c, state, c.WorkerId, () => new ServiceCompleted(
            state.Id, c.WorkerId, c.PhotoBlobNames, c.Notes, c.Now + state.Timings.AutoConfirmAfter, c.Now, c.Evidence)),
        Confirm c => c.CustomerId != state.CustomerId
            ? Refuse(state, c, Codes.NotYourOrder, OrderErrorKind.Forbidden)
            : DecisionResult.Of(new OrderConfirmed(
                state.Id, c.CustomerId, Automatically: false, c.Now + state.Timings.ComplaintWindow, c.Now)),
        AutoConfirm c => WhenDue(c, state, TimerKind.AutoConfirm, () => DecisionResult.Of(new OrderConfirmed(
            state.Id, state.CustomerId, Automatically: true, c.Now + state.Timings.ComplaintWindow, c.Now))),
        OpenAfterSale c => DecideOpenAfterSale(c, state),
        ResolveAfterSale c => DecisionResult.Of(new AfterSaleResolved(state.Id, c.AdminId, c.Resolution, c.Now)),
        Cancel c => DecideCancel(c, state),
        RequestRefund c => DecideRequestRefund(c, state),
        RefundSucceeded c => c.AmountFen != state.RefundPendingFen
            ? Refuse(state, c, Codes.AmountMismatch, OrderErrorKind.Invalid)
            : DecisionResult.Of(new RefundCompleted(state.Id, c.RefundId, c.AmountFen, c.Now)),
        RefundFailed c => DecisionResult.Of(new RefundAttemptFailed(state.Id, c.RefundId, c.Reason, c.Now)),
        SettlementDue c => WhenDue(c, state, TimerKind.SettlementDue, () => DecisionResult.Of(
            new SettlementBecameDue(state.Id, state.CurrentWorkerId, state.PaidFen - state.RefundedFen, c.Now))),
        MarkSettled c => !state.SettlementIsDue
            ? Refuse(state, c, Codes.SettlementNotDue)
            : DecisionResult.Of(new OrderSettled(state.Id, c.SettlementId, c.Now)),
        SendReminder c => WhenDue(c, state, TimerOf(c.Kind), () => DecisionResult.Of(
            new ReminderDue(state.Id, c.Kind, state.CustomerId, state.CurrentWorkerId, c.Now))),
        _ => Refuse(state, command, Codes.NotAllowedInState),
    };

    private static DecisionResult DecidePlace(Place c)
    {
        var d = c.Details;
        var valid = !string.IsNullOrWhiteSpace(d.OrderId) && !string.IsNullOrWhiteSpace(d.CustomerId) &&
                    !string.IsNullOrWhiteSpace(d.CityId) && !string.IsNullOrWhiteSpace(d.ItemId) &&
                    d.PriceTotalFen > 0 && d.ScheduledEnd > d.ScheduledStart && c.Timings.IsValid &&
                    (d.DispatchMode != DispatchMode.Designated || !string.IsNullOrWhiteSpace(d.DesignatedWorkerId));
        return valid
            ? DecisionResult.Of(new OrderPlaced(d.OrderId, d, c.Timings, c.Now + c.Timings.PaymentTimeout, c.Now))
            : Refuse(OrderState.Initial, c, Codes.InvalidOrderDetails, OrderErrorKind.Invalid);
    }

    private static DecisionResult DecidePayment(ConfirmPayment c, OrderState state)
    {
        if (state.PaymentId is not null)
        {
            return Refuse(state, c, Codes.AlreadyPaid);
        }

        if (state.Status is Closed or Cancelled)
        {
            return c.AmountFen <= 0
                ? Refuse(state, c, Codes.AmountOutOfRange, OrderErrorKind.Invalid)
                : DecisionResult.Of(
                    new LatePaymentReceived(state.Id, c.PaymentId, c.AmountFen, c.Now),
                    new RefundRequested(state.Id, Actor.System("payments"), c.AmountFen, "payment arrived after the order ended", c.Now));
        }

        return c.AmountFen != state.PriceTotalFen
            ? Refuse(state, c, Codes.AmountMismatch, OrderErrorKind.Invalid)
            : DecisionResult.Of(new PaymentConfirmed(state.Id, c.PaymentId, c.AmountFen, c.Now));
    }

    private static DecisionResult DecideOffer(Offer c, OrderState state)
    {
        if (c.Round > state.Timings.MaxOfferRounds)
        {
            return Refuse(state, c, Codes.MaxOfferRoundsExceeded);
        }

        if (c.Round != state.OfferRound + 1)
        {
            return Refuse(state, c, Codes.WrongOfferRound);
        }

        if (state.DeclinedWorkerIds.Contains(c.WorkerId))
        {
            return Refuse(state, c, Codes.WorkerAlreadyDeclined);
        }

        return DecisionResult.Of(
            new OfferMade(state.Id, c.WorkerId, c.Round, c.Now + state.Timings.AcceptanceTimeout, c.Now));
    }

    private static DecisionResult DecideAccept(Accept c, OrderState state)
    {
        if (c.WorkerId != state.OfferedToWorkerId)
        {
            return Refuse(state, c, Codes.NotOfferedToYou, OrderErrorKind.Forbidden);
        }

        // The expiry timer may not have run yet; an answer after the deadline still loses.
        if (state.DeadlineOf(TimerKind.OfferAcceptance) is { } deadline && c.Now > deadline.DueAt)
        {
            return Refuse(state, c, Codes.OfferExpired);
        }

        return DecisionResult.Of(new OfferAccepted(state.Id, c.WorkerId, state.OfferRound, c.Now));
    }

    private static DecisionResult DecideOpenAfterSale(OpenAfterSale c, OrderState state)
    {
        if (c.CustomerId != state.CustomerId)
        {
            return Refuse(state, c, Codes.NotYourOrder, OrderErrorKind.Forbidden);
        }

        if (state.Status == Confirmed &&
            (state.DeadlineOf(TimerKind.SettlementDue) is not { } window || c.Now >= window.DueAt))
        {
            return Refuse(state, c, Codes.ComplaintWindowClosed);
        }

        return DecisionResult.Of(new AfterSaleOpened(state.Id, c.CustomerId, c.Reason, c.Now));
    }

    private static DecisionResult DecideCancel(Cancel c, OrderState state)
    {
        switch (c.By.Role)
        {
            case ActorRole.Worker:
                return Refuse(state, c, Codes.WorkersCannotCancel, OrderErrorKind.Forbidden);
            case ActorRole.Customer when c.By.Id != state.CustomerId:
                return Refuse(state, c, Codes.NotYourOrder, OrderErrorKind.Forbidden);
            case not ActorRole.Admin when state.Status == Arrived:
                return Refuse(state, c, Codes.CancelNeedsAdmin, OrderErrorKind.Forbidden);
        }

        if (c.FeeFen < 0 || c.RefundFen < 0 || c.FeeFen + c.RefundFen != state.RefundableFen)
        {
            return Refuse(state, c, Codes.AmountMismatch, OrderErrorKind.Invalid);
        }

        var cancelled = new OrderCancelled(
            state.Id, c.By, c.Reason, c.FeeFen, c.RefundFen, state.CurrentWorkerId ?? state.OfferedToWorkerId, c.Now);
        return c.RefundFen == 0
            ? DecisionResult.Of(cancelled)
            : DecisionResult.Of(cancelled, new RefundRequested(state.Id, c.By, c.RefundFen, c.Reason, c.Now));
    }

    private static DecisionResult DecideRequestRefund(RequestRefund c, OrderState state)
    {
        if (c.By.Role is not (ActorRole.Admin or ActorRole.System))
        {
            return Refuse(state, c, Codes.AdminOnly, OrderErrorKind.Forbidden);
        }

        if (state.Status == Refunding && state.FailedRefundId is null)
        {
            return Refuse(state, c, Codes.RefundInProgress);
        }

        return c.AmountFen <= 0 || c.AmountFen > state.PaidFen - state.RefundedFen
            ? Refuse(state, c, Codes.AmountOutOfRange, OrderErrorKind.Invalid)
            : DecisionResult.Of(new RefundRequested(state.Id, c.By, c.AmountFen, c.Reason, c.Now));
    }

    private static DecisionResult WithEscalationIfLastRound(OrderState state, OrderEvent declined) =>
        state.OfferRound >= state.Timings.MaxOfferRounds
            ? DecisionResult.Of(declined, new EscalatedToManualDispatch(
                state.Id, $"no worker accepted after {state.OfferRound} offer rounds", declined.At))
            : DecisionResult.Of(declined);

    private static DecisionResult ByCurrentWorker(OrderCommand c, OrderState state, string workerId, Func<OrderEvent> happened) =>
        workerId == state.CurrentWorkerId
            ? DecisionResult.Of(happened())
            : Refuse(state, c, Codes.NotAssignedToYou, OrderErrorKind.Forbidden);

    private static DecisionResult WhenDue(OrderTimerCommand c, OrderState state, TimerKind kind, Func<DecisionResult> decide) =>
        state.DeadlineOf(kind) is { } deadline && c.Now < deadline.DueAt
            ? Refuse(state, c, Codes.TimerNotDue)
            : decide();

    private static bool IsAlreadyApplied(OrderCommand command, OrderState s) => command switch
    {
        Place c => s.Status != None && s.Id == c.Details.OrderId,
        ConfirmPayment c => s.PaymentId == c.PaymentId,
        Offer c => s.Status == Offered && s.OfferedToWorkerId == c.WorkerId && s.OfferRound == c.Round,
        Accept c => s.IsWorkerEngaged && s.CurrentWorkerId == c.WorkerId,
        Grab c => s.IsWorkerEngaged && s.CurrentWorkerId == c.WorkerId,
        AssignByAdmin c => s.IsWorkerEngaged && s.CurrentWorkerId == c.WorkerId,
        Reassign c => s.IsWorkerEngaged && s.CurrentWorkerId == c.NewWorkerId,
        Reschedule c => s.ScheduledStart == c.NewStart && s.ScheduledEnd == c.NewEnd,
        Reject c => s.DeclinedWorkerIds.Contains(c.WorkerId) && s.OfferedToWorkerId != c.WorkerId,
        EscalateToManual => s.Status == ManualDispatch,
        StartTrip c => s.Status == OnTheWay && s.CurrentWorkerId == c.WorkerId,
        Arrive c => s.Status == Arrived && s.CurrentWorkerId == c.WorkerId,
        StartService c => s.Status == InService && s.CurrentWorkerId == c.WorkerId,
        Complete c => s.Status == Completed && s.CurrentWorkerId == c.WorkerId,
        Confirm c => s.ConfirmedAt is not null && s.CustomerId == c.CustomerId,
        OpenAfterSale c => s.Status == AfterSale && s.CustomerId == c.CustomerId,
        Cancel => s.CancelledAt is not null,
        RefundSucceeded c => s.RefundIds.Contains(c.RefundId),
        RefundFailed c => s.FailedRefundId == c.RefundId,
        MarkSettled => s.Status == Settled,
        _ => false,
    };

    private static bool IsTimerCurrent(OrderTimerCommand timer, OrderState s)
    {
        var kind = timer switch
        {
            PaymentTimedOut => TimerKind.PaymentTimeout,
            OfferTimedOut => TimerKind.OfferAcceptance,
            GrabPoolExpired => TimerKind.GrabPoolExpiry,
            AutoConfirm => TimerKind.AutoConfirm,
            SettlementDue => TimerKind.SettlementDue,
            SendReminder r => TimerOf(r.Kind),
            _ => throw new ArgumentOutOfRangeException(nameof(timer), timer.GetType().Name, "Unknown order timer."),
        };
        var forThisOffer = timer is not OfferTimedOut t ||
                           (s.OfferedToWorkerId == t.WorkerId && s.OfferRound == t.Round);
        return forThisOffer && s.DeadlineOf(kind) is not null && OrderTransitions.IsAllowed(s.Status, timer.GetType());
    }

    private static string RefusalCode(OrderCommand command, OrderState state) => command switch
    {
        Accept or Grab when state.IsWorkerEngaged || state.Status is Completed or Confirmed or Settled =>
            Codes.TakenByAnotherWorker,
        ConfirmPayment when state.PaymentId is not null => Codes.AlreadyPaid,
        _ => Codes.NotAllowedInState,
    };

    private static DecisionResult Refuse(OrderState state, OrderCommand command, string code,
        OrderErrorKind kind = OrderErrorKind.Conflict) =>
        DecisionResult.Fail(new OrderTransitionError(state.Status, command.GetType().Name, code, kind));

    private static void EnsureListedInTable(OrderCommand command, OrderState state, IReadOnlyList<OrderEvent> events)
    {
        var after = Evolve(state, events).Status;
        if (!OrderTransitions.IsAllowed(state.Status, command.GetType(), after))
        {
            throw new InvalidOperationException(
                $"{command.GetType().Name} took an order from {state.Status} to {after}, which the transition table does not list.");
        }
    }

    private static OrderState Engage(OrderState state, string workerId, DateTimeOffset at)
    {
        IEnumerable<Deadline> reminders = Enum.GetValues<ReminderKind>()
            .Select(kind => new Deadline(TimerOf(kind), state.ScheduledStart - state.Timings.ReminderLead(kind)))
            .Where(d => d.DueAt > at);
        return state with
        {
            Status = Accepted,
            CurrentWorkerId = workerId,
            OfferedToWorkerId = null,
            Deadlines = [.. Without(state.Deadlines, TimerKind.OfferAcceptance, TimerKind.GrabPoolExpiry, TimerKind.ReminderT24h, TimerKind.ReminderT2h), .. reminders],
        };
    }

    /// <summary>After a reschedule, pending reminders follow the new start (only those still in the future).</summary>
    private static OrderState Retimed(OrderState state, DateTimeOffset at)
    {
        var hadReminders = state.Deadlines.Any(d => d.Kind is TimerKind.ReminderT24h or TimerKind.ReminderT2h);
        if (!hadReminders)
        {
            return state;
        }

        IEnumerable<Deadline> reminders = Enum.GetValues<ReminderKind>()
            .Select(kind => new Deadline(TimerOf(kind), state.ScheduledStart - state.Timings.ReminderLead(kind)))
            .Where(d => d.DueAt > at);
        return state with { Deadlines = [.. Without(state.Deadlines, TimerKind.ReminderT24h, TimerKind.ReminderT2h), .. reminders] };
    }

    private static OrderState Decline(OrderState state, string workerId) => state with
    {
        Status = Dispatching,
        OfferedToWorkerId = null,
        DeclinedWorkerIds = [.. state.DeclinedWorkerIds, workerId],
        Deadlines = Without(state.Deadlines, TimerKind.OfferAcceptance),
    };

    private static OrderState RefundDone(OrderState state, RefundCompleted e)
    {
        var refunded = state.RefundedFen + e.AmountFen;
        // A partial refund of a served order leaves money for the worker: settle it at once.
        var settleRemainder = state.CompletedAt is not null && state.PaidFen - refunded > 0;
        return state with
        {
            Status = Refunded,
            RefundedFen = refunded,
            RefundPendingFen = 0,
            RefundIds = [.. state.RefundIds, e.RefundId],
            FailedRefundId = null,
            Deadlines = settleRemainder
                ? [.. Without(state.Deadlines, TimerKind.SettlementDue), new Deadline(TimerKind.SettlementDue, e.At)]
                : state.Deadlines,
        };
    }

    private static TimerKind TimerOf(ReminderKind kind) =>
        kind == ReminderKind.T24h ? TimerKind.ReminderT24h : TimerKind.ReminderT2h;

    private static Deadline[] Without(IReadOnlyList<Deadline> deadlines, params TimerKind[] kinds) =>
        deadlines.Where(d => !kinds.Contains(d.Kind)).ToArray();
}
