namespace ECommerce.Messaging;

/// <summary>The service this process runs, as its events and inbox record it.</summary>
public sealed record MessagingServiceInfo(string Name);
