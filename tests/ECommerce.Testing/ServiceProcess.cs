using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ECommerce.Testing;

/// <summary>
/// A service run as a real process from its build output, so a test can kill it the way a crash
/// or an OOM killer would: no shutdown, no ack, no cleanup.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;

    private ServiceProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public bool HasExited => process.HasExited;

    /// <summary>Starts <c>src/{project}/bin/{configuration}/net10.0/{project}.dll</c> and waits for <c>/health</c>.</summary>
    public static async Task<ServiceProcess> StartAsync(string project, IDictionary<string, string?> settings)
    {
        var dll = Path.Combine(Repository.Root, "src", project, "bin", BuildConfiguration(), "net10.0", project + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build {project} first: {dll} does not exist.", dll);
        }

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in TestCredentials.Settings.Concat(settings))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.UntilAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{project} exited with {process.ExitCode} during start-up.");
                }

                try
                {
                    return (await http.GetAsync("/health")).StatusCode;
                }
                catch (HttpRequestException)
                {
                    return HttpStatusCode.ServiceUnavailable;
                }
            },
            status => status == HttpStatusCode.OK,
            $"{project} to answer /health",
            TimeSpan.FromSeconds(60));
        return service;
    }

    /// <summary>SIGKILL: the process gets no chance to finish, commit or acknowledge anything.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
    }

    /// <summary>The configuration the tests were built in (bin/Release/... or bin/Debug/...), which built the services too.</summary>
    private static string BuildConfiguration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
