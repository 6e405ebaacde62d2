namespace Wool.Tests.Integration.Workers;

/// <summary>A streaming routine that records its runs, to prove a stream never runs twice.</summary>
internal static class LedgerStreams
{
    /// <summary>Records its run once in the ledger (a duplicate marker if it ever runs twice), then yields its id three times.</summary>
    [Routine]
    public static async IAsyncEnumerable<int> RecordOnce(string ledger, int callId)
    {
        await WorkerRoutines.RecordOnceLocally(ledger, callId);
        for (int i = 0; i < 3; i++)
        {
            yield return callId;
        }
    }
}
