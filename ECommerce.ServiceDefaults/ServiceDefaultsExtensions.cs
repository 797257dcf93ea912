using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every service gets, the same under the Aspire AppHost, the no-Docker launcher and tests:
/// OpenTelemetry (traces, metrics, logs; OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set),
/// health endpoints, RFC 9457 problem details for every error, OpenAPI with a Scalar API
/// reference, service discovery and the standard HTTP resilience handler; who is calling
/// (<see cref="ShopAuthentication"/>, <see cref="OperatorAccess"/>, <see cref="OrderAccess"/>) and
/// how often they may (<see cref="RateLimits"/>).
/// Built from Microsoft.Extensions.* and OpenTelemetry packages only: no Aspire package.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";

    /// <summary>Activity sources and meters of our own and of the libraries we trace.</summary>
    private static readonly string[] TracedSources = ["MassTransit", "ECommerce.Messaging", "ECommerce.Orders"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddShopAuthentication();
        builder.AddOrderAccess();
        builder.AddRateLimits();
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => StrictJson.Apply(json.SerializerOptions));

        // A value that cannot be bound to an endpoint's parameter is the client's error in every
        // environment: a 400 problem document (UseStatusCodePages), never the exception handler's 500.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = false);
        builder.Services.AddOpenApi();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            // Aspire and the launcher name each service (order-service, ...) in OTEL_SERVICE_NAME.
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TracedSources))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TracedSources)
                .AddAspNetCoreInstrumentation(aspNetCore =>
                    // Health probes every few seconds would bury the traces that matter.
                    aspNetCore.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthPath) && !context.Request.Path.StartsWithSegments(AlivePath))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddProcessor(new CorrelationTagProcessor()));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // Reads OTEL_EXPORTER_OTLP_* (endpoint, protocol, headers) for all three signals.
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// Problem details for unhandled exceptions and bare status codes (a 404 of an unmatched
    /// route, a 405), and the health endpoints: <c>/alive</c>, the process answers (liveness);
    /// <c>/health</c>, every readiness check passes (database and broker). In Development also
    /// <c>/openapi/v1.json</c> and <c>/scalar/v1</c>, and <c>/health</c> writes each check's
    /// status and reason as JSON; in every other environment it answers the overall status alone.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseShopAuthentication();
        app.UseRateLimiter();

        // A check's reason is often an exception message naming hosts, ports and users, and the
        // API description maps the attack surface: both are for the developer's machine.
        var development = app.Environment.IsDevelopment();
        if (development)
        {
            app.MapOpenApi();
            app.MapScalarApiReference();
        }

        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        app.MapHealthChecks(HealthPath, new HealthCheckOptions
        {
            ResponseWriter = development ? HealthReportWriter.WriteAsync : HealthReportWriter.WriteStatusAsync,

            // MassTransit reports a lost broker connection as Degraded: not ready to take traffic.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }
}
