using SharpFuzz;

namespace ECommerce.Fuzz;

/// <summary>One target per run, as AFL drives it: <c>dotnet ECommerce.Fuzz.dll &lt;target&gt;</c> (README, "Fuzzing").</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is not [var target] || !FuzzTargets.Names.Contains(target))
        {
            Console.Error.WriteLine($"usage: ECommerce.Fuzz <{string.Join("|", FuzzTargets.Names)}>");
            return 2;
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            FuzzTargets.Run(target, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    }
}
