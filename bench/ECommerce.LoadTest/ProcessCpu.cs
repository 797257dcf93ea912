using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ECommerce.ServiceCatalog;

namespace ECommerce.LoadTest;

/// <summary>
/// CPU time (user + system) of the system's processes, by group, from <c>/proc/&lt;pid&gt;/stat</c>
/// (Linux only): each service by name, the <c>dotnet run</c> launchers, RabbitMQ, PostgreSQL and
/// the AppHost with its orchestrator (DCP). Processes of no group (the load test, the shell,
/// anything else on the machine) are left out.
/// </summary>
/// <remarks>
/// When the server processes of the run are known (the broker's OS pid from the management API,
/// the postmaster from the --postgres connection), RabbitMQ and PostgreSQL are only that broker's
/// and that server's process trees: another broker or database server on the same machine (a test
/// run's, say) is not counted. Otherwise every process of those names is.
/// </remarks>
internal sealed partial class ProcessCpu
{
    public const string Launchers = "launchers";
    public const string RabbitMq = "rabbitmq";
    public const string Postgres = "postgres";
    public const string AppHost = "apphost";

    /// <summary>The groups in the order the report lists them: the catalog's services, then the rest; services found under other names come after the catalog's.</summary>
    public static readonly string[] ReportOrder =
    [
        .. ShopServiceCatalog.All.Select(service => service.Name),
        Launchers, RabbitMq, Postgres, AppHost,
    ];

    private static readonly HashSet<string> RabbitMqCommands = new(StringComparer.Ordinal) { "beam.smp", "erl_child_setup", "epmd", "inet_gethost" };

    // Aspire's orchestrator: dcp itself and the helpers it starts.
    private static readonly HashSet<string> OrchestratorCommands = new(StringComparer.Ordinal) { "dcp", "dcpctrl", "dcpproc" };

    private readonly int? brokerPid;
    private readonly int? postmasterPid;

    private ProcessCpu(double ticksPerSecond, int? brokerPid, int? postmasterPid)
    {
        TicksPerSecond = ticksPerSecond;
        this.brokerPid = brokerPid;
        this.postmasterPid = postmasterPid;
    }

    /// <summary>The unit of utime and stime in /proc/&lt;pid&gt;/stat (USER_HZ, 100 on practically every Linux).</summary>
    public double TicksPerSecond { get; }

    /// <summary>Null on a machine without /proc (not Linux).</summary>
    public static ProcessCpu? TryCreate(int? brokerPid, int? postmasterPid) =>
        OperatingSystem.IsLinux() && File.Exists("/proc/self/stat") ? new ProcessCpu(ClockTicksPerSecond(), brokerPid, postmasterPid) : null;

    /// <summary>
    /// The parent of <paramref name="pid"/> if this process is called <paramref name="command"/>:
    /// a PostgreSQL backend's parent is the postmaster. Null when it is not on this machine.
    /// </summary>
    public static int? ParentIfNamed(int pid, string command) =>
        ReadStat(pid) is { } stat && stat.Command == command ? stat.ParentPid : null;

    /// <summary>True when <paramref name="pid"/> is a process on this machine called <paramref name="command"/>.</summary>
    public static bool IsNamed(int pid, string command) => ReadStat(pid)?.Command == command;

    /// <summary>Every process of a group, with its CPU ticks so far.</summary>
    public CpuSnapshot Take()
    {
        var stats = new Dictionary<int, ProcessStat>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ReadStat(pid) is { } stat)
            {
                stats[pid] = stat;
            }
        }

        var processes = new Dictionary<ProcessKey, GroupedProcess>();
        foreach (var stat in stats.Values)
        {
            if (GroupOf(stat, stats) is { } group)
            {
                processes[new ProcessKey(stat.Pid, stat.StartTime)] = new GroupedProcess(group, stat.Ticks);
            }
        }

        return new CpuSnapshot(DateTimeOffset.UtcNow, processes);
    }

    /// <summary>
    /// CPU time per group between two snapshots, per order completed in the phase. A process that
    /// started in between counts from 0; one that ended in between is not seen at the end and is
    /// left out.
    /// </summary>
    public CpuFigures Compare(CpuSnapshot start, CpuSnapshot end, int completedOrders)
    {
        var groups = end.Processes
            .GroupBy(p => p.Value.Group)
            .Select(g =>
            {
                var ticks = g.Sum(p => p.Value.Ticks - (start.Processes.TryGetValue(p.Key, out var before) ? before.Ticks : 0));
                var seconds = ticks / TicksPerSecond;
                return new GroupCpu(g.Key, g.Count(), seconds, PerOrderMs(seconds, completedOrders));
            })
            .OrderBy(g => ReportRank(g.Group))
            .ThenBy(g => g.Group, StringComparer.Ordinal)
            .ToList();

        var totalSeconds = groups.Sum(g => g.CpuSeconds);
        return new CpuFigures(groups, totalSeconds, PerOrderMs(totalSeconds, completedOrders), (end.At - start.At).TotalSeconds, TicksPerSecond);
    }

    /// <summary>Where a group goes in the report: <see cref="ReportOrder"/>, other services after the catalog's.</summary>
    public static int ReportRank(string group)
    {
        var index = Array.IndexOf(ReportOrder, group);
        if (index >= 0)
        {
            return 2 * index;
        }

        return group.EndsWith("-service", StringComparison.Ordinal) ? (2 * Array.IndexOf(ReportOrder, Launchers)) - 1 : 2 * ReportOrder.Length;
    }

    private static double? PerOrderMs(double seconds, int completedOrders) =>
        completedOrders > 0 ? seconds * 1000 / completedOrders : null;

    private string? GroupOf(ProcessStat stat, IReadOnlyDictionary<int, ProcessStat> all)
    {
        if (RabbitMqCommands.Contains(stat.Command))
        {
            // epmd is one daemon per machine, shared by every Erlang node: it always counts.
            return brokerPid is not { } broker || stat.Command == "epmd" || IsInTree(stat, broker, all) ? RabbitMq : null;
        }

        if (stat.Command == "postgres")
        {
            return postmasterPid is not { } postmaster || IsInTree(stat, postmaster, all) ? Postgres : null;
        }

        if (OrchestratorCommands.Contains(stat.Command))
        {
            return AppHost;
        }

        var arguments = ReadCommandLine(stat.Pid);
        if (arguments.Length == 0)
        {
            return null; // kernel threads, and processes that ended meanwhile
        }

        if (IsEcommerceLauncher(arguments))
        {
            return Launchers;
        }

        // The program itself or the assembly `dotnet` runs: ECommerce.OrderService, ECommerce.OrderService.dll.
        // Test assemblies (ECommerce.OrderService.Tests) do not match.
        foreach (var argument in arguments)
        {
            var name = Path.GetFileName(argument);
            if (ServiceProgram().Match(name) is { Success: true } service)
            {
                return KebabCase(service.Groups["name"].Value) + "-service";
            }

            if (name is "ECommerce.AppHost" or "ECommerce.AppHost.dll" || name.StartsWith("Aspire.Dashboard", StringComparison.Ordinal))
            {
                return AppHost;
            }
        }

        return null;
    }

    /// <summary><c>dotnet run ... --project .../ECommerce.X.csproj</c>: the process that started a service (or the AppHost) and waits for it.</summary>
    private static bool IsEcommerceLauncher(string[] arguments)
    {
        if (Path.GetFileName(arguments[0]) != "dotnet" || !arguments.Contains("run"))
        {
            return false;
        }

        var project = Array.IndexOf(arguments, "--project");
        return project >= 0 && project + 1 < arguments.Length && arguments[project + 1].Contains("ECommerce.", StringComparison.Ordinal);
    }

    private static bool IsInTree(ProcessStat stat, int root, IReadOnlyDictionary<int, ProcessStat> all)
    {
        // Parents have lower pids only until the pids wrap around, so the walk is bounded by depth instead.
        var current = stat;
        for (var depth = 0; depth < 64; depth++)
        {
            if (current.Pid == root)
            {
                return true;
            }

            if (!all.TryGetValue(current.ParentPid, out var parent))
            {
                return false;
            }

            current = parent;
        }

        return false;
    }

    private static string KebabCase(string pascalCase) => WordStart().Replace(pascalCase, "-$1").ToLowerInvariant();

    /// <summary>
    /// /proc/&lt;pid&gt;/stat: "pid (comm) state ppid ... utime stime ... starttime ...". The command
    /// may itself contain spaces and parentheses, so the fields are counted after its last ')'.
    /// </summary>
    private static ProcessStat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null; // ended meanwhile, or not ours to read
        }

        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }

        // After the command: [0] state, [1] ppid, ..., [11] utime, [12] stime, ..., [19] starttime.
        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 20)
        {
            return null;
        }

        return new ProcessStat(
            pid,
            text[(open + 1)..close],
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture),
            long.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    private static string[] ReadCommandLine(int pid)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary><c>getconf CLK_TCK</c>, read once; 100 when it cannot be run.</summary>
    private static double ClockTicksPerSecond()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false });
            if (getconf is not null)
            {
                var output = getconf.StandardOutput.ReadToEnd();
                getconf.WaitForExit();
                if (double.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks > 0)
                {
                    return ticks;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No getconf: fall back to the usual value.
        }

        return 100;
    }

    [GeneratedRegex(@"^ECommerce\.(?<name>[A-Za-z]+)Service(\.dll)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ServiceProgram();

    [GeneratedRegex("(?<=[a-z])([A-Z])", RegexOptions.CultureInvariant)]
    private static partial Regex WordStart();

    private sealed record ProcessStat(int Pid, string Command, int ParentPid, long Ticks, long StartTime);
}

/// <summary>A process, told apart from a later one with the same pid by its start time.</summary>
internal readonly record struct ProcessKey(int Pid, long StartTime);

internal sealed record GroupedProcess(string Group, long Ticks);

internal sealed record CpuSnapshot(DateTimeOffset At, IReadOnlyDictionary<ProcessKey, GroupedProcess> Processes);

/// <summary>CPU time of one process group during a phase.</summary>
/// <param name="Processes">Processes of the group seen at the end of the phase.</param>
/// <param name="MsPerOrder">CPU milliseconds per order completed in the phase.</param>
internal sealed record GroupCpu(string Group, int Processes, double CpuSeconds, double? MsPerOrder);

/// <summary>CPU time of the system's processes during a phase, by group.</summary>
/// <param name="Seconds">Between the two snapshots.</param>
internal sealed record CpuFigures(IReadOnlyList<GroupCpu> Groups, double TotalCpuSeconds, double? TotalMsPerOrder, double Seconds, double ClockTicksPerSecond);
