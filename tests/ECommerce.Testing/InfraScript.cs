using System.Diagnostics;

namespace ECommerce.Testing;

/// <summary><c>eng/infra.sh</c>, which starts and stops the servers a test runs on.</summary>
public static class InfraScript
{
    public static string Path { get; } = Find();

    /// <summary>Runs <c>eng/infra.sh</c> with <paramref name="arguments"/>; returns its standard output, fails with its errors.</summary>
    public static async Task<string> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [Path, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/infra.sh {string.Join(' ', arguments)} failed ({process.ExitCode}): {await errors}{await output}");
        }

        return await output;
    }

    /// <summary>The values of the <c>export NAME="value"</c> lines the script prints.</summary>
    public static IReadOnlyDictionary<string, string> Exports(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("export ", StringComparison.Ordinal) && line.Contains('='))
            .Select(line => line["export ".Length..].Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1].Trim('"'), StringComparer.Ordinal);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var script = System.IO.Path.Combine(directory.FullName, "eng", "infra.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new InvalidOperationException("eng/infra.sh not found above the test output: the tests start brokers of their own with it.");
    }
}
