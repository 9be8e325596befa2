import type { HttpContext } from '@adonisjs/core/http'
import Connector from '#models/connector'
import { connectionTestValidator, connectorValidator } from '#validators/connector'
import { testConnection, testConnectionOf } from '#connectors/connection_test'
import {
  ConnectorInputError,
  deleteConnector,
  saveConnector,
  startPoll,
} from '#connectors/connector_admin'
import {
  connectorFormProps,
  connectorShowProps,
  connectorsIndexProps,
} from '#connectors/connector_views'

export default class ConnectorsController {
  async index({ inertia }: HttpContext) {
    return inertia.render('connectors/index', await connectorsIndexProps())
  }

  async show({ inertia, params }: HttpContext) {
    return inertia.render('connectors/show', await connectorShowProps(Number(params.id)))
  }

  async create({ inertia }: HttpContext) {
    return inertia.render('connectors/form', await connectorFormProps(null))
  }

  async edit({ inertia, params }: HttpContext) {
    return inertia.render('connectors/form', await connectorFormProps(Number(params.id)))
  }

  private async save({ request, response, session, auth }: HttpContext, connector: Connector) {
    const input = await request.validateUsing(connectorValidator)
    const creating = !connector.id
    try {
      await saveConnector(input, auth.user!.id, connector)
    } catch (error) {
      if (!(error instanceof ConnectorInputError)) throw error
      session.flashErrors(error.errors)
      session.flashAll()
      return response.redirect().back()
    }
    session.flash('success', creating ? 'Connector created' : 'Connector saved')
    return response.redirect(`/connectors/${connector.id}`)
  }

  async store(ctx: HttpContext) {
    return this.save(ctx, new Connector())
  }

  async update(ctx: HttpContext) {
    return this.save(ctx, await Connector.findOrFail(ctx.params.id))
  }

  async destroy({ params, response, session, auth }: HttpContext) {
    await deleteConnector(await Connector.findOrFail(params.id), auth.user!.id)
    session.flash('success', 'Connector deleted')
    return response.redirect('/connectors')
  }

  /** Checks the far end and the credentials of a saved connector without importing anything. */
  async test({ params, response, session, request }: HttpContext) {
    const connector = await Connector.findOrFail(params.id)
    const result = await testConnectionOf(connector)
    if (request.accepts(['html', 'json']) === 'json')
      return response.json(result.ok ? { ok: true, message: result.message } : result)
    session.flash(result.ok ? 'success' : 'error', `Test connection: ${result.message}`)
    if (result.detail) session.flash('errorDetail', result.detail)
    return response.redirect(`/connectors/${connector.id}`)
  }

  /** "Test" on the form: the values as typed, before saving (JSON answer for the form). */
  async testUnsaved({ request, response }: HttpContext) {
    const input = await request.validateUsing(connectionTestValidator)
    return response.json(await testConnection(input, input.id ?? null))
  }

  /** Starts a poll in the background; the page follows its progress. */
  async run({ params, response, session, auth }: HttpContext) {
    const connector = await Connector.findOrFail(params.id)
    if (!(await startPoll(connector, auth.user!.id))) {
      session.flash('error', 'A poll of this connector is already running')
      return response.redirect(`/connectors/${connector.id}`)
    }
    session.flash('success', 'Poll started')
    return response.redirect(`/connectors/${connector.id}?running=1`)
  }
}
