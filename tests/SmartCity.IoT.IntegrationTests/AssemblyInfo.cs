// The integration tests share one Mosquitto and one InfluxDB; run them one at a time so gateways do not read each other's traffic.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
