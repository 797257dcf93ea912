namespace ECommerce.Messaging.Inbox;

/// <summary>
/// A scoped service that consumers of one consume transaction hand their writes to, so that the
/// transaction writes them set-wise, once, right before its commit (after every effect and the
/// set-wise inserts). Register it with <c>AddConsumeCommitWriter</c>. A failure fails the whole
/// transaction, which then runs its messages again one by one.
/// </summary>
public interface IConsumeCommitWriter
{
    Task WriteAsync(CancellationToken cancellationToken);
}
