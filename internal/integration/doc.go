// Package integration holds end-to-end tests: real SDK clients against
// moto_server, driven through the command line in process (cli.Run), over
// account states built with the SDK. It has no non-test code.
package integration
