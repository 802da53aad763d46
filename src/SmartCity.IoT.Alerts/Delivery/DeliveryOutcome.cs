namespace SmartCity.IoT.Alerts.Delivery;

public enum DeliveryOutcome
{
    Delivered,
    Retry,
    DeadLetter,
    Gone,
    CircuitOpen,
}
