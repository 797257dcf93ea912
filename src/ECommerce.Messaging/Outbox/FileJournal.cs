using System.Text.Json;

namespace ECommerce.Messaging.Outbox;

/// <summary>
/// The fallback store for events that must be published when the service's database cannot take
/// them (see <see cref="IDurableEventPublisher"/>). One file per event, written to a temporary
/// name, flushed to disk and renamed, so a crash leaves either a whole entry or none. The
/// dispatcher publishes entries oldest first and deletes each once the broker confirmed it.
/// </summary>
public sealed class FileJournal
{
    private const string EntrySuffix = ".event.json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private int mayHaveEntries = 1;

    public FileJournal(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    /// <summary>False only when the journal is known to be empty: spares a directory scan per dispatcher pass.</summary>
    public bool MayHaveEntries => Volatile.Read(ref mayHaveEntries) == 1;

    public void Append(OutboxMessage message)
    {
        var name = $"{message.CreatedAt.UtcTicks:D20}-{message.MessageId:N}";
        var temporary = Path.Combine(Directory, name + ".tmp");
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            JsonSerializer.Serialize(file, message, Json);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path.Combine(Directory, name + EntrySuffix));
        Volatile.Write(ref mayHaveEntries, 1);
    }

    /// <summary>The stored entries, oldest first, each with the path that <see cref="Remove"/> takes.</summary>
    public IReadOnlyList<(string Path, OutboxMessage Message)> ReadAll()
    {
        var entries = System.IO.Directory.EnumerateFiles(Directory, "*" + EntrySuffix)
            .Order(StringComparer.Ordinal)
            .Select(path => (path, JsonSerializer.Deserialize<OutboxMessage>(File.ReadAllBytes(path), Json)!))
            .ToList();
        if (entries.Count == 0)
        {
            Volatile.Write(ref mayHaveEntries, 0);
        }

        return entries;
    }

    public static void Remove(string path) => File.Delete(path);
}
