namespace SmartCity.IoT.Alerts.Delivery;

internal enum DeliveryOutcome
{
    Delivered,
    Retry,
    DeadLetter,
    Gone,
    CircuitOpen,
}
