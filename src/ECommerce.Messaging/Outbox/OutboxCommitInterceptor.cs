using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ECommerce.Messaging.Outbox;

/// <summary>
/// Hands outbox rows to the dispatcher when they become visible: after <c>SaveChanges</c> when it
/// ran in its own transaction, otherwise after the surrounding transaction commits.
/// </summary>
internal sealed class OutboxCommitInterceptor(OutboxSignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    // Contexts are pooled and reused, so the rows written live per context instance and are
    // cleared on every commit or rollback.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, List<OutboxMessage>> contextsWithPendingRows = [];

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        RememberPendingRows(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        RememberPendingRows(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        SignalIfCommitted(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        SignalIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => SignalPendingRows(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        SignalPendingRows(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => ForgetPendingRows(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ForgetPendingRows(eventData.Context);
        return Task.CompletedTask;
    }

    private void RememberPendingRows(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var added = context.ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        if (added.Count > 0)
        {
            contextsWithPendingRows.GetOrCreateValue(context).AddRange(added);
        }
    }

    private void SignalIfCommitted(DbContext? context)
    {
        // Inside an explicit transaction the rows are not visible until it commits.
        if (context is not null && context.Database.CurrentTransaction is null)
        {
            SignalPendingRows(context);
        }
    }

    private void SignalPendingRows(DbContext? context)
    {
        if (context is not null && contextsWithPendingRows.TryGetValue(context, out var rows))
        {
            contextsWithPendingRows.Remove(context);
            signal.HandOff(rows);
        }
    }

    private void ForgetPendingRows(DbContext? context)
    {
        if (context is not null)
        {
            contextsWithPendingRows.Remove(context);
        }
    }
}
