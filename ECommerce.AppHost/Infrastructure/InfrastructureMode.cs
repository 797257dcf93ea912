using System.Diagnostics;

namespace ECommerce.AppHost.Infrastructure;

/// <summary>Where RabbitMQ and PostgreSQL come from: containers, or the servers installed on this machine.</summary>
internal enum InfrastructureMode
{
    /// <summary>Containers when a container runtime answers, local processes otherwise.</summary>
    Auto,

    /// <summary>RabbitMQ and PostgreSQL in containers (Docker or Podman), data in volumes.</summary>
    Containers,

    /// <summary>The installed <c>rabbitmq-server</c> and PostgreSQL, run by the AppHost as local processes.</summary>
    Local,
}

internal static class ContainerRuntimeProbe
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Asks the container runtime whether its engine runs (<c>docker info</c>, else <c>podman info</c>;
    /// only the one <c>ASPIRE_CONTAINER_RUNTIME</c> names, when set). A container resource without
    /// an engine never starts, and everything that waits for it would wait forever: so the AppHost
    /// decides before it adds any.
    /// </summary>
    public static bool EngineAnswers(string? configuredRuntime, out string answer)
    {
        string[] runtimes = string.IsNullOrWhiteSpace(configuredRuntime) ? ["docker", "podman"] : [configuredRuntime];
        var reasons = new List<string>();
        foreach (var runtime in runtimes)
        {
            if (Answers(runtime, out var reason))
            {
                answer = runtime;
                return true;
            }

            reasons.Add($"{runtime}: {reason}");
        }

        answer = string.Join("; ", reasons);
        return false;
    }

    private static bool Answers(string runtime, out string reason)
    {
        var start = new ProcessStartInfo(runtime)
        {
            ArgumentList = { "info", "--format", "{{.ServerVersion}}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                reason = "could not be started";
                return false;
            }

            process.StandardInput.Close();
            var errors = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(ProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                reason = $"no answer within {ProbeTimeout.TotalSeconds:0} s";
                return false;
            }

            reason = process.ExitCode == 0 ? "engine answers" : FirstLine(errors.Result) ?? $"exit code {process.ExitCode}";
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            reason = "not installed";
            return false;
        }
    }

    private static string? FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}
