using System.CommandLine;
using System.CommandLine.Parsing;
using ECommerce.LoadTest;
using ECommerce.ServiceCatalog;

var baseUrl = new Option<string>("--base-url")
{
    Description = "The order service.",
    DefaultValueFactory = _ => $"http://localhost:{ShopServiceCatalog.Order.HttpPort}",
};
// No DefaultValueFactory for the three servers: --help would show the variables' passwords. There
// is no fixed default either: eng/infra.sh generates the passwords (eval "$(eng/infra.sh env)").
var rabbitMq = new Option<string?>("--rabbitmq")
{
    Description = $"The broker for the ceiling measurement (amqp://user:password@host:port, an administrator). Default: ${EnvironmentDefaults.MessagingVariable}.",
};
var management = new Option<string?>("--rabbitmq-management")
{
    Description = $"The management API (http://user:password@host:port), for the broker's message counters and the ceiling's temporary vhost; 'none' to count messages instead. Default: ${EnvironmentDefaults.ManagementVariable}, else none.",
};
var postgres = new Option<string?>("--postgres")
{
    Description = $"The PostgreSQL server of the service databases (a connection string, e.g. Host=localhost;Port=5462;Username=ecommerce;Password=...; a superuser, for pg_stat_statements), for transactions and statements per order; 'none' not to measure them. Default: ${EnvironmentDefaults.PostgresVariable}, else none.",
};
var rate = new Option<double?>("--rate") { Description = "Orders per second (open loop). Standard scenario: the steady phase's rate (default 100, or the broker ceiling / 125 when the ceiling is below 12,500 msg/s)." };
var concurrency = new Option<int?>("--concurrency") { Description = "POSTs in flight at once (closed loop). Standard scenario: the saturation phase's concurrency (64)." };
var duration = DurationOption("--duration", null, "How long each measured phase sends, e.g. 60s, 2m (default 60s unless --count is given).");
var count = new Option<int?>("--count") { Description = "Orders each measured phase sends (with --duration: whichever comes first)." };
var warmup = DurationOption("--warmup", TimeSpan.FromSeconds(30), "Warm-up before the measured phases, at the measured load (steady rate for the standard scenario); 0 for none.");
var finalTimeout = DurationOption("--final-timeout", TimeSpan.FromSeconds(60), "How long after sending ends an accepted order may take to reach a final state before it counts as lost.");
var scenario = new Option<string>("--scenario")
{
    Description = "'standard': warm-up, 60 s at 100 orders/s (or the broker ceiling / 125 when that is below 12,500 msg/s), then 60 s of saturation at 64 concurrent POSTs, with the targets judged. Without it: one phase from --rate/--concurrency and --duration/--count.",
};
scenario.AcceptOnlyFromAmong(Runner.StandardScenario);
var output = new Option<string?>("--output") { Description = "Write the results as JSON to this file." };
var ceilingMessages = new Option<int>("--ceiling-messages")
{
    Description = "Confirmed publishes of the raw broker ceiling measurement; 0 skips it.",
    DefaultValueFactory = _ => 20_000,
};
var ceilingSize = new Option<int>("--ceiling-message-size")
{
    Description = "Bytes per message of the ceiling measurement.",
    DefaultValueFactory = _ => 1024,
};
var pollInterval = DurationOption("--poll-interval", TimeSpan.FromMilliseconds(250), "How often orders that are not final yet are asked about (GET /orders/{id}).");
var pollConcurrency = new Option<int>("--poll-concurrency")
{
    Description = "GET /orders/{id} requests in flight at once.",
    DefaultValueFactory = _ => 16,
};
var maxPending = new Option<int>("--max-pending")
{
    Description = "Accepted orders not yet final before the sender waits (keeps a saturated pipeline's backlog bounded); 0: no limit.",
    DefaultValueFactory = _ => 1000,
};
var expressEvery = new Option<int>("--express-every")
{
    Description = "Every Nth order asks for express shipping (its latency is reported apart); 0: none.",
    DefaultValueFactory = _ => 10,
};
var expressCharge = new Option<decimal>("--express-charge")
{
    Description = "The order service's Orders:ExpressShippingCharge, which an express order's total includes.",
    DefaultValueFactory = _ => 9.90m,
};
var maxInFlight = new Option<int>("--max-in-flight")
{
    Description = "POSTs in flight at once in rate mode; the schedule slips beyond it.",
    DefaultValueFactory = _ => 512,
};
var httpTimeout = DurationOption("--http-timeout", TimeSpan.FromSeconds(30), "Timeout of one HTTP request.");

var root = new RootCommand(
    "Load test of the ECommerce order pipeline: sends orders to a running system, follows each one to a final state, " +
    "reports throughput, latency, broker messages/s against a raw RabbitMQ ceiling measured in the same run, and the database work and CPU time per order. See bench/README.md.")
{
    baseUrl, rabbitMq, management, postgres, rate, concurrency, duration, count, warmup, finalTimeout, scenario, output,
    ceilingMessages, ceilingSize, pollInterval, pollConcurrency, maxPending, maxInFlight, httpTimeout, expressEvery, expressCharge,
};

// bench/run.sh waits for these ports to answer /health; the catalog is the one place that has them.
var servicePorts = new Command("service-ports", "Prints the HTTP port of every service of the catalog under the AppHost, one a line, and exits.");
servicePorts.SetAction(_ =>
{
    foreach (var service in ShopServiceCatalog.All)
    {
        Console.WriteLine(service.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
});
root.Subcommands.Add(servicePorts);

root.Validators.Add(result =>
{
    try
    {
        ValidateTogether(result);
    }
    catch (InvalidOperationException)
    {
        // An option's value did not parse: that error is reported, and its value cannot be read.
    }
});

void ValidateTogether(CommandResult result)
{
    var isStandard = result.GetValue(scenario) == Runner.StandardScenario;
    if (!isStandard && result.GetValue(rate) is not null && result.GetValue(concurrency) is not null)
    {
        result.AddError("Give --rate or --concurrency, not both (the standard scenario takes both: steady rate and saturation concurrency).");
    }

    if (result.GetValue(rate) is <= 0)
    {
        result.AddError("--rate must be above 0.");
    }

    if (result.GetValue(concurrency) is <= 0)
    {
        result.AddError("--concurrency must be above 0.");
    }

    if (result.GetValue(count) is <= 0)
    {
        result.AddError("--count must be above 0.");
    }

    if (result.GetValue(duration) is { } d && d <= TimeSpan.Zero)
    {
        result.AddError("--duration must be above 0.");
    }
}

root.SetAction(async (parsed, cancellationToken) =>
{
    // Checked here, not in a validator: validators see options without their defaults.
    var problems = new List<string>();
    if (parsed.GetValue(pollInterval) < TimeSpan.FromMilliseconds(10))
    {
        problems.Add("--poll-interval must be at least 10ms.");
    }

    if (parsed.GetValue(pollConcurrency) <= 0 || parsed.GetValue(maxInFlight) <= 0 || parsed.GetValue(ceilingSize) <= 0)
    {
        problems.Add("--poll-concurrency, --max-in-flight and --ceiling-message-size must be above 0.");
    }

    if (parsed.GetValue(maxPending) < 0 || parsed.GetValue(ceilingMessages) < 0)
    {
        problems.Add("--max-pending and --ceiling-messages must be at least 0.");
    }

    if (parsed.GetValue(expressEvery) < 0 || parsed.GetValue(expressCharge) < 0)
    {
        problems.Add("--express-every and --express-charge must be at least 0.");
    }

    if (!Uri.TryCreate(parsed.GetValue(baseUrl), UriKind.Absolute, out _))
    {
        problems.Add($"--base-url: '{parsed.GetValue(baseUrl)}' is not an absolute URL.");
    }

    // The broker's addresses hold passwords: a problem names the option, never the value.
    var rabbitMqText = parsed.GetValue(rabbitMq) ?? EnvironmentDefaults.Read(EnvironmentDefaults.MessagingVariable, "");
    if (rabbitMqText.Length == 0)
    {
        problems.Add($"--rabbitmq: not given and ${EnvironmentDefaults.MessagingVariable} is not set (eval \"$(eng/infra.sh env)\" sets it).");
    }
    else if (!Uri.TryCreate(rabbitMqText, UriKind.Absolute, out _))
    {
        problems.Add("--rabbitmq: not an absolute amqp:// URL (the value is not shown: it may hold a password).");
    }

    var managementText = parsed.GetValue(management) ?? EnvironmentDefaults.Read(EnvironmentDefaults.ManagementVariable, "none");
    if (managementText != "none" && !Uri.TryCreate(managementText, UriKind.Absolute, out _))
    {
        problems.Add("--rabbitmq-management: not an absolute URL, or 'none' (the value is not shown: it may hold a password).");
    }

    var postgresText = parsed.GetValue(postgres) ?? EnvironmentDefaults.Read(EnvironmentDefaults.PostgresVariable, "none");
    var postgresValue = postgresText is { Length: > 0 } and not "none" ? postgresText : null;
    if (postgresValue is not null && !IsConnectionString(postgresValue))
    {
        problems.Add("--postgres: not a connection string (e.g. Host=localhost;Port=5462;Username=ecommerce;Password=...), or 'none'.");
    }

    if (problems.Count > 0)
    {
        foreach (var problem in problems)
        {
            await Console.Error.WriteLineAsync(problem);
        }

        return 2;
    }

    var standard = parsed.GetValue(scenario) == Runner.StandardScenario;
    var measuredDuration = parsed.GetValue(duration);
    var measuredCount = parsed.GetValue(count);
    if (measuredDuration is null && measuredCount is null)
    {
        measuredDuration = TimeSpan.FromSeconds(60);
    }

    var warmupLength = parsed.GetValue(warmup)!.Value;
    var phases = new List<PhaseSpec>();
    if (standard)
    {
        // Without --rate the steady rate follows the broker ceiling, which is then measured first,
        // so that the warm-up runs at the load it prepares for: a warm-up above what a slow
        // machine sustains would end on a backlog instead of warm code paths.
        var givenRate = parsed.GetValue(rate);
        if (warmupLength > TimeSpan.Zero)
        {
            phases.Add(new PhaseSpec("warmup", givenRate ?? Runner.DefaultSteadyRate, null, warmupLength, null, Measured: false, RateFollowsCeiling: givenRate is null));
        }

        phases.Add(new PhaseSpec(Runner.SteadyPhase, givenRate ?? Runner.DefaultSteadyRate, null, measuredDuration, measuredCount, Measured: true, RateFollowsCeiling: givenRate is null));
        phases.Add(new PhaseSpec(Runner.SaturationPhase, null, parsed.GetValue(concurrency) ?? 64, measuredDuration, measuredCount, Measured: true));
    }
    else
    {
        var phaseRate = parsed.GetValue(rate);
        var phaseConcurrency = parsed.GetValue(concurrency);
        if (phaseRate is null && phaseConcurrency is null)
        {
            phaseRate = 100;
        }

        if (warmupLength > TimeSpan.Zero)
        {
            phases.Add(new PhaseSpec("warmup", phaseRate, phaseConcurrency, warmupLength, null, Measured: false));
        }

        phases.Add(new PhaseSpec(phaseRate is null ? "concurrency" : "rate", phaseRate, phaseConcurrency, measuredDuration, measuredCount, Measured: true));
    }

    var managementValue = managementText;
    var settings = new RunSettings
    {
        BaseUrl = new Uri(parsed.GetValue(baseUrl)!),
        RabbitMq = new Uri(rabbitMqText),
        RabbitMqManagement = managementValue == "none" ? null : new Uri(managementValue),
        Postgres = postgresValue,
        Scenario = standard ? Runner.StandardScenario : "custom",
        Phases = phases,
        FinalTimeout = parsed.GetValue(finalTimeout)!.Value,
        OutputPath = parsed.GetValue(output),
        CeilingMessages = parsed.GetValue(ceilingMessages),
        CeilingMessageBytes = parsed.GetValue(ceilingSize),
        PollInterval = parsed.GetValue(pollInterval)!.Value,
        PollConcurrency = parsed.GetValue(pollConcurrency),
        MaxPending = parsed.GetValue(maxPending),
        MaxInFlightPosts = parsed.GetValue(maxInFlight),
        ExpressEvery = parsed.GetValue(expressEvery),
        ExpressCharge = parsed.GetValue(expressCharge),
        HttpTimeout = parsed.GetValue(httpTimeout)!.Value,
    };

    return await new Runner(settings).RunAsync(cancellationToken);
});

// Ctrl-C cancels the run: sending stops, the partial results are printed and written, exit 130.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });

static bool IsConnectionString(string value)
{
    try
    {
        _ = new Npgsql.NpgsqlConnectionStringBuilder(value);
        return true;
    }
    catch (ArgumentException)
    {
        return false;
    }
}

static Option<TimeSpan?> DurationOption(string name, TimeSpan? defaultValue, string description)
{
    var option = new Option<TimeSpan?>(name)
    {
        Description = description,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return null;
            }

            var text = result.Tokens[^1].Value;
            if (Durations.TryParse(text, out var value))
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not a duration (e.g. 60s, 500ms, 2m).");
            return null;
        },
    };
    if (defaultValue is { } fallback)
    {
        option.DefaultValueFactory = _ => fallback;
    }

    return option;
}
