namespace SmartCity.IoT.Core.Pipeline;

/// <summary>One filter a source subscribes to, and whether the retained messages it matches are wanted at subscribe.</summary>
public readonly record struct SubscriptionFilter(string Filter, bool WantsRetained);
