using Npgsql;

namespace ECommerce.Messaging.Inbox;

/// <summary>
/// A scoped service that consumers of one consume transaction hand their writes to, so that the
/// transaction writes them set-wise, once, in its last round trip: after every effect, ahead of
/// the set-wise inserts and the <c>COMMIT</c>. Register it with <c>AddConsumeCommitWriter</c>. A
/// failure fails the whole transaction, which then runs its messages again one by one.
/// </summary>
public interface IConsumeCommitWriter
{
    /// <summary>
    /// The statement for the last round trip, or null when the transaction gave this writer
    /// nothing. It must return a result set (a <c>SELECT</c>, or <c>RETURNING</c>, even of no
    /// rows): its rows are matched to it by position.
    /// </summary>
    NpgsqlBatchCommand? TakeStatement();

    /// <summary>Called once the transaction has committed, with the rows the statement returned (the values of each row in column order).</summary>
    void Committed(IReadOnlyList<object[]> rows);
}
