namespace SmartCity.IoT.Gateway.Simulation;

/// <summary>No MQTT connection could be made in time; the message names the broker and the innermost cause.</summary>
internal sealed class BrokerUnreachableException(string host, int port, Exception cause)
    : Exception($"cannot connect to the MQTT broker at {host}:{port}: {Innermost(cause).Message}", cause)
{
    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
