using System.Reflection;
using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.Messaging.Resilience;
using ECommerce.Messaging.Transport;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace ECommerce.Messaging;

public static class MessagingRegistration
{
    /// <summary>The connection string name Aspire injects for the RabbitMQ resource.</summary>
    public const string ConnectionName = "messaging";

    /// <summary>
    /// Connects the service to RabbitMQ through MassTransit with the whole <see cref="Topology"/>:
    /// every event published to <c>ecommerce.events</c> with its routing key, persistent and
    /// confirmed; the service's queues declared with their bindings at start-up; the outbox
    /// dispatcher for <typeparamref name="TDbContext"/>. Call after <c>AddServiceDatabase</c>.
    /// Throws when a consumer and the bindings of its queue disagree (<see cref="ConsumerBindingCheck"/>).
    /// </summary>
    public static IHostApplicationBuilder AddMessaging<TDbContext>(
        this IHostApplicationBuilder builder,
        string serviceName,
        Action<MessagingBuilder> declare)
        where TDbContext : DbContext
    {
        if (builder.Services.All(s => s.ServiceType != typeof(OutboxSignal)))
        {
            throw new InvalidOperationException($"Call AddServiceDatabase<{typeof(TDbContext).Name}>() before AddMessaging: the outbox lives in the service's database.");
        }

        var declarations = new MessagingBuilder();
        declare(declarations);
        var consumerTopology = declarations.ConsumerTopology(serviceName);
        ConsumerBindingCheck.Verify(consumerTopology, Topology.Events);

        var broker = BrokerAddress.Parse(builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set. Run the service through the AppHost, " +
                $"or set ConnectionStrings__{ConnectionName}=amqp://user:password@host:5672."));

        builder.Services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.SectionName)
            .Validate(options => options.Problem() is null, $"An option of the '{MessagingOptions.SectionName}' section is out of range (see MessagingOptions).")
            .ValidateOnStart();
        builder.Services.AddSingleton(new MessagingServiceInfo(serviceName));
        builder.Services.AddSingleton(consumerTopology);
        builder.Services.AddSingleton(declarations.Tags);

        // One shared RabbitMQ connection, opened on first use, for what is not MassTransit's (the
        // dead-letter API browses and republishes with basic.get). MassTransit keeps a connection
        // of its own: it manages its channels, reconnects and topology itself. Its checks are the
        // broker's health checks and its spans the messaging spans, so this client adds neither.
        builder.AddRabbitMQClient(ConnectionName, settings =>
        {
            settings.DisableHealthChecks = true;
            settings.DisableTracing = true;

            // The client takes a URI of one node: that of the first, the others through the
            // endpoint resolver below.
            if (broker.IsCluster)
            {
                settings.ConnectionString = broker.UriOf(broker.Nodes[0]).ToString();
            }
        }, factory =>
        {
            factory.ClientProvidedName = $"{serviceName}:dead-letters";
            ClusterNodes.UseAll(factory, broker);
            if (HeartbeatOf(builder.Configuration) is { } heartbeat)
            {
                factory.RequestedHeartbeat = heartbeat;
            }
        });
        builder.Services.AddScoped<IEventOutbox, EventOutbox<TDbContext>>();
        builder.Services.AddSingleton<Requests.BrokerRequests>();
        builder.Services.AddSingleton<Inbox.ConsumeBatcher<TDbContext>>();
        builder.Services.AddSingleton(new Inbox.SetWiseInsertTypes(declarations.SetWiseInserts));
        builder.Services.AddSingleton<IDurableEventPublisher, DurableEventPublisher<TDbContext>>();
        builder.Services.AddSingleton(services => new FileJournal(
            services.GetRequiredService<IOptions<MessagingOptions>>().Value.JournalDirectory
            ?? Path.Combine(builder.Environment.ContentRootPath, "journal", serviceName)));
        builder.Services.AddHostedService<OutboxDispatcher<TDbContext>>();
        builder.Services.AddHostedService<Persistence.MessageRetentionSweeper<TDbContext>>();
        builder.Services.AddSingleton(services => new PublishResilience(
            services.GetRequiredService<IOptions<MessagingOptions>>().Value,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<PublishResilience>>(),
            serviceName));

        var retryPolicies = new DelayedRetryPolicies();
        foreach (var endpoint in declarations.Endpoints.Where(e => e.DelayedRetry is not null))
        {
            retryPolicies.Add(endpoint.Binding.Queue, endpoint.DelayedRetry!);
        }

        builder.Services.AddSingleton(retryPolicies);
        builder.Services.TryAddTimeProvider();
        builder.Services.AddSingleton(ParkedQueuesOf(declarations));
        builder.Services.AddSingleton<DeadLetters.DeadLetterQueue>();
        builder.Services.AddScoped<DeadLetters.IReplayAnnouncer, DeadLetters.ReplayAnnouncer<TDbContext>>();

        builder.Services.AddMassTransit(bus =>
        {
            foreach (var consumer in declarations.Endpoints.SelectMany(e => e.Consumers))
            {
                bus.AddConsumer(consumer);
            }

            bus.UsingRabbitMq((context, rabbit) =>
            {
                var options = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                rabbit.Host(broker.Host, broker.Port, broker.VirtualHost, host =>
                {
                    host.Username(broker.UserName);
                    host.Password(broker.Password);
                    host.PublisherConfirmation = true;
                    ClusterNodes.UseAll(host, broker);
                    if (options.HeartbeatSeconds > 0)
                    {
                        host.Heartbeat((ushort)options.HeartbeatSeconds);
                    }
                });

                ConfigurePublishTopology(rabbit);
                var traceParent = new TraceParentSendObserver();
                rabbit.ConnectSendObserver(traceParent);
                rabbit.ConnectPublishObserver(traceParent);

                foreach (var endpoint in declarations.Endpoints)
                {
                    rabbit.ReceiveEndpoint(endpoint.Binding.Queue, receive =>
                    {
                        ConfigureReceiveEndpoint(receive, endpoint, options, context);
                        foreach (var consumer in endpoint.Consumers)
                        {
                            receive.ConfigureConsumer(context, consumer);
                        }
                    });
                }
            });
        });

        return builder;
    }

    /// <summary>
    /// Registers <typeparamref name="TWriter"/> (scoped) as a writer that every consume
    /// transaction of the service flushes before its commit (<see cref="Inbox.IConsumeCommitWriter"/>).
    /// </summary>
    public static IServiceCollection AddConsumeCommitWriter<TWriter>(this IServiceCollection services)
        where TWriter : class, Inbox.IConsumeCommitWriter
    {
        services.AddScoped<TWriter>();
        services.AddScoped<Inbox.IConsumeCommitWriter>(provider => provider.GetRequiredService<TWriter>());
        return services;
    }

    /// <summary>Where the service's messages can be parked: each consumed queue's final DLQ, if it has one, and its error queue.</summary>
    private static DeadLetters.ParkedQueues ParkedQueuesOf(MessagingBuilder declarations) => new(
        declarations.Endpoints
            .SelectMany(endpoint => (endpoint.DelayedRetry is { } retry
                    ? new[] { new DeadLetters.ParkedQueue(retry.FinalDeadLetterQueue, endpoint.Binding.Queue) }
                    : [])
                .Append(new DeadLetters.ParkedQueue(endpoint.Binding.Queue + DeadLetters.ParkedQueues.ErrorQueueSuffix, endpoint.Binding.Queue)))
            .ToList());

    /// <summary><see cref="MessagingOptions.HeartbeatSeconds"/> for the client Aspire builds before the options are bound; null for the broker's.</summary>
    private static TimeSpan? HeartbeatOf(IConfiguration configuration) =>
        configuration.GetSection(MessagingOptions.SectionName).GetValue<int>(nameof(MessagingOptions.HeartbeatSeconds)) is > 0 and <= ushort.MaxValue and var seconds
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (services.All(s => s.ServiceType != typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }

    internal static void ConfigurePublishTopology(IRabbitMqBusFactoryConfigurator rabbit)
    {
        var configureEvent = typeof(MessagingRegistration).GetMethod(nameof(ConfigureEvent), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var route in Topology.Events)
        {
            configureEvent.MakeGenericMethod(route.EventType).Invoke(null, [rabbit, route.RoutingKey]);
        }

        // An interface the events share must not get an exchange of its own bound with '#'.
        var excludeInterface = typeof(MessagingRegistration).GetMethod(nameof(ExcludeFromPublishTopology), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var sharedInterface in InterfacesOfEvents())
        {
            excludeInterface.MakeGenericMethod(sharedInterface).Invoke(null, [rabbit]);
        }
    }

    /// <summary>
    /// The interfaces of the events that MassTransit's publish topology would give exchanges:
    /// MassTransit's own list, which leaves out what is no message type (<c>CorrelatedBy&lt;Guid&gt;</c>).
    /// </summary>
    internal static IReadOnlyList<Type> InterfacesOfEvents() =>
        Topology.Events
            .SelectMany(route => (IEnumerable<Type>)typeof(MessageTypeCache<>).MakeGenericType(route.EventType)
                .GetProperty(nameof(MessageTypeCache<object>.MessageTypes))!.GetValue(null)!)
            .Where(type => type.IsInterface)
            .Distinct()
            .ToList();

    private static void ExcludeFromPublishTopology<TInterface>(IRabbitMqBusFactoryConfigurator rabbit)
        where TInterface : class =>
        rabbit.Publish<TInterface>(publish => publish.Exclude = true);

    private static void ConfigureEvent<TEvent>(IRabbitMqBusFactoryConfigurator rabbit, string routingKey)
        where TEvent : class
    {
        rabbit.Message<TEvent>(message => message.SetEntityName(Topology.EventsExchange));
        rabbit.Publish<TEvent>(publish => publish.ExchangeType = ExchangeType.Topic);
        rabbit.Send<TEvent>(send => send.UseRoutingKeyFormatter(_ => routingKey));
    }

    private static void ConfigureReceiveEndpoint(IRabbitMqReceiveEndpointConfigurator receive, ReceiveEndpointDeclaration endpoint, MessagingOptions options, IRegistrationContext registration)
    {
        // With consume topology on, MassTransit binds per message type and the queue silently
        // receives nothing from our topic exchange.
        receive.ConfigureConsumeTopology = false;
        receive.PublishFaults = false;
        receive.PrefetchCount = options.PrefetchCount;
        receive.Durable = true;
        QueueArguments.ApplyTo(receive, options.QueueType);
        if (options.QueueType == QueueType.Classic && Topology.Priority.IsPriorityQueue(endpoint.Binding))
        {
            // Declared with the queue: RabbitMQ cannot make an existing queue a priority queue.
            // Quorum queues of RabbitMQ 3.x refuse priorities: there the queues stay first in, first out.
            receive.EnablePriority(Topology.Priority.Highest);
        }

        receive.UseConsumeFilter(typeof(Requests.ExpiredMessageFilter<>), registration);

        foreach (var routingKey in endpoint.Binding.RoutingKeys)
        {
            receive.Bind(Topology.EventsExchange, bind =>
            {
                bind.ExchangeType = ExchangeType.Topic;
                bind.RoutingKey = routingKey;
            });
        }

        if (endpoint.DelayedRetry is { } delayedRetry)
        {
            DelayedRetryQueue.Configure(receive, delayedRetry, endpoint.Binding.Queue, options.QueueType, registration);
        }
        else
        {
            receive.UseMessageRetry(retry =>
            {
                retry.Exponential(
                    options.ConsumerRetries,
                    TimeSpan.FromMilliseconds(options.ConsumerRetryDelay),
                    TimeSpan.FromMilliseconds(options.ConsumerRetryDelay * 20),
                    TimeSpan.FromMilliseconds(options.ConsumerRetryDelay));

                // No attempt can make an invalid event valid: straight to the error queue.
                retry.Ignore<Inbox.InvalidEventException>();
            });
        }
    }
}
