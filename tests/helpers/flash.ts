import { ApiResponse } from '@japa/api-client'
import type { PluginFn } from '@japa/runner/types'

declare module '@japa/api-client' {
  interface ApiResponse {
    /**
     * Assert the flash message under `key`: equal to a string, or matching a RegExp
     * (`response.assertFlash('error', /Too many failed logins/)`).
     */
    assertFlash(key: string, expected: string | RegExp): this
    /**
     * Assert that some flash message (any key, validation bags included) contains `text`:
     * for messages whose key depends on where the controller put them.
     */
    assertFlashIncludes(text: string): this
  }
}

function assertOf(response: ApiResponse) {
  if (!response.assert) {
    throw new Error('Response assertions need the @japa/assert plugin')
  }
  return response.assert
}

/**
 * Flash assertions on the API client response, next to the session plugin's own
 * (`assertFlashMessage(key, value)` compares deeply and has no RegExp or "contains").
 * Registered in tests/bootstrap.ts.
 */
export function flashAssertions(): PluginFn {
  return () => {
    ApiResponse.macro('assertFlash', function (this: ApiResponse, key, expected) {
      const value = this.flashMessages()?.[key]
      if (expected instanceof RegExp) {
        assertOf(this).match(String(value), expected)
      } else {
        assertOf(this).equal(value, expected)
      }
      return this
    })
    ApiResponse.macro('assertFlashIncludes', function (this: ApiResponse, text) {
      assertOf(this).include(JSON.stringify(this.flashMessages()), text)
      return this
    })
  }
}
