using SmartCity.IoT.Gateway.Commands;

return await GatewayCommandLine.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
