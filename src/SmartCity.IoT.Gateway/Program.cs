using SmartCity.IoT.Gateway.Commands;

return await GatewayCommandLine.InvokeAsync(args).ConfigureAwait(false);
